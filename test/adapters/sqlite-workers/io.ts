/**
 * The child side of the SQLite reliability tests, the same on Node, Bun and Deno: one line per fact
 * on stdout, written after the fact (so what the parent read holds for the file), `go` on stdin,
 * and an exit when the parent goes away or the child runs too long, so no worker outlives its test.
 */

/** The runtime this worker is. */
export const runtime: 'node' | 'bun' | 'deno' =
  'Bun' in globalThis ? 'bun' : 'Deno' in globalThis ? 'deno' : 'node';

/** Writes one line to stdout. */
export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Says `ready <runtime>`: the worker is set up, and the parent can check where it runs. */
export function ready(): void {
  say(`ready ${runtime}`);
}

/** Reports an unexpected failure as an `error` line and exits non-zero. */
export function fail(error: unknown): never {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  say(`error ${JSON.stringify(message)}`);
  process.exit(1);
}

/** The command-line arguments after the script. */
export function args(count: number): string[] {
  const list = process.argv.slice(2);
  if (list.length < count) fail(`expected ${count} arguments, got ${JSON.stringify(list)}`);
  return list;
}

const go = new Promise<void>((resolve) => {
  let buffer = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    buffer += chunk;
    if (buffer.split('\n').includes('go')) resolve();
  });
  process.stdin.on('end', () => process.exit(3)); // the parent is gone
});

/** Resolves when the parent writes `go`, so several workers start at the same moment. */
export function waitForGo(): Promise<void> {
  return go;
}

setTimeout(() => fail('the worker ran for over 60 s'), 60_000).unref();
process.on('unhandledRejection', fail);
