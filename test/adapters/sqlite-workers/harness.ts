/**
 * The parent side of the SQLite reliability tests: starts a worker of this folder as a real
 * `node --import tsx` process, collects its stdout lines, and waits on them with a deadline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const live = new Set<ChildProcess>();

/** How a worker ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running worker process. */
export interface Worker {
  /** Every complete stdout line so far. */
  readonly lines: readonly string[];
  /** Resolves when the process has exited and its output is all read. */
  readonly exit: Promise<Exit>;
  /** Waits until `check` holds, re-checked on each output; fails on exit or after `timeoutMs`. */
  until(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Waits for a line starting with `prefix` and returns it. */
  line(prefix: string, timeoutMs?: number): Promise<string>;
  send(line: string): void;
  kill(): void;
  /** The lines, stderr and exit, for a failure message. */
  describe(): string;
}

/** Starts `sqlite-workers/<script>.ts` with `args`. */
export function startWorker(script: string, args: readonly string[]): Worker {
  const file = fileURLToPath(new URL(`./${script}.ts`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  let ended: Exit | undefined;
  const checks = new Set<() => void>();
  const poke = (): void => {
    for (const check of checks) check();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    poke();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.on('error', () => {}); // writing to a killed worker is not the test's failure
  const exit = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => {
      live.delete(child);
      ended = { code, signal };
      resolve(ended);
      poke();
    });
  });
  const describe = (): string =>
    `worker ${script} ${args.join(' ')}: exit ${JSON.stringify(ended ?? 'running')}, ` +
    `last lines ${JSON.stringify(lines.slice(-5))}, stderr ${JSON.stringify(stderr.slice(-2000))}`;
  const until = (check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const attempt = (): void => {
        if (check()) finish();
        else if (ended !== undefined)
          finish(new Error(`${what}: the worker exited. ${describe()}`));
      };
      const timer = setTimeout(
        () => finish(new Error(`${what}: not within ${timeoutMs} ms. ${describe()}`)),
        timeoutMs,
      );
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        checks.delete(attempt);
        if (error === undefined) resolve();
        else reject(error);
      };
      checks.add(attempt);
      attempt();
    });
  return {
    lines,
    exit,
    until,
    async line(prefix: string, timeoutMs?: number): Promise<string> {
      const found = (): string | undefined => lines.find((l) => l.startsWith(prefix));
      await until(() => found() !== undefined, `a line "${prefix}…"`, timeoutMs);
      return found()!;
    },
    send: (line) => void child.stdin.write(`${line}\n`),
    kill: () => void child.kill('SIGKILL'),
    describe,
  };
}

/** Kills every worker still running (after a failed test). */
export function killWorkers(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** Waits until `check` holds, polling every few ms; fails after `timeoutMs`. */
export async function poll(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
