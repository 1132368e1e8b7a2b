/**
 * The parent side of the SQLite reliability tests: starts a worker of this folder as a real
 * process of Node (`node --import tsx`), Bun or Deno, collects its stdout lines, and waits on them
 * with a deadline. Bun and Deno are the binaries of their npm packages, as test/runtimes uses them.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const live = new Set<ChildProcess>();

/** A runtime a worker can run on; each opens files with its own SQLite entry (see engine.ts). */
export type Engine = 'node' | 'bun' | 'deno';

const binary = (name: string): string => {
  const local = join(root, 'node_modules', '.bin', name);
  return existsSync(local) ? local : name;
};

const versions = new Map<Engine, string | undefined>();

/** Why `engine` cannot run here (its binary is missing or does not start), or undefined. */
export function missingEngine(engine: Engine): string | undefined {
  if (engine === 'node') return undefined;
  if (!versions.has(engine)) {
    const r = spawnSync(binary(engine), ['--version'], { encoding: 'utf8', timeout: 30_000 });
    versions.set(
      engine,
      r.status === 0
        ? undefined
        : `${engine} does not run here (${binary(engine)} --version: ${r.error?.message ?? `exit ${r.status}`}); npm ci installs it`,
    );
  }
  return versions.get(engine);
}

/**
 * The command that runs `file` on `engine`. Deno may read and write `dir` (where the test's files
 * are) and nothing else: no config, lockfile or network; node:sqlite needs no other flag.
 */
function command(engine: Engine, file: string, dir: string): string[] {
  if (engine === 'bun') return [binary('bun'), '--no-install', '--no-env-file', file];
  if (engine === 'deno') {
    return [
      binary('deno'),
      'run',
      '--no-config',
      '--no-lock',
      '--no-remote',
      '--no-prompt',
      `--allow-read=${dir}`,
      `--allow-write=${dir}`,
      file,
    ];
  }
  return [process.execPath, '--import', 'tsx', file];
}

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
  /** Waits for `ready <runtime>` and fails unless the worker runs on the runtime it was started for. */
  ready(): Promise<void>;
  send(line: string): void;
  kill(): void;
  /** The lines, stderr and exit, for a failure message. */
  describe(): string;
}

/** Where and how a worker runs. */
export interface WorkerOptions {
  /** The runtime (default node). */
  readonly engine?: Engine;
  /** The folder of the files it opens: the only one Deno may read and write. */
  readonly dir: string;
}

/** Starts `sqlite-workers/<script>.ts` with `args`. */
export function startWorker(
  script: string,
  args: readonly string[],
  { engine = 'node', dir }: WorkerOptions,
): Worker {
  const file = fileURLToPath(new URL(`./${script}.ts`, import.meta.url));
  const [cmd, ...flags] = command(engine, file, dir);
  const env = { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' };
  const child = spawn(cmd!, [...flags, ...args], {
    cwd: root,
    env,
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
  child.on('error', (error) => {
    stderr += `could not start ${cmd}: ${error.message}`;
  });
  const exit = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => {
      live.delete(child);
      ended = { code, signal };
      resolve(ended);
      poke();
    });
  });
  const describe = (): string =>
    `${engine} worker ${script} ${args.join(' ')}: exit ${JSON.stringify(ended ?? 'running')}, ` +
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
  const line = async (prefix: string, timeoutMs?: number): Promise<string> => {
    const found = (): string | undefined => lines.find((l) => l.startsWith(prefix));
    await until(() => found() !== undefined, `a line "${prefix}…"`, timeoutMs);
    return found()!;
  };
  return {
    lines,
    exit,
    until,
    line,
    async ready(): Promise<void> {
      const said = await line('ready');
      if (said !== `ready ${engine}`)
        throw new Error(`started for ${engine}, it says "${said}". ${describe()}`);
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
