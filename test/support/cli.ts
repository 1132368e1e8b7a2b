/**
 * The `whizbang` command for tests: cli/main.ts bundled once per test file with esbuild (the bin's
 * own libraries inside, drivers left to node_modules, as tsup builds it), then spawned on real
 * files and servers.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A built CLI: where it is, and how to remove it. */
export interface BuiltCli {
  /** The bundled script. */
  readonly script: string;
  /** Removes it. */
  remove(): void;
}

/**
 * Bundles the CLI under node_modules/.cache (so the drivers resolve from the project's
 * node_modules), beside a package.json that gives it a version.
 */
export async function buildCli(): Promise<BuiltCli> {
  const dir = join(root, 'node_modules', '.cache', `whizbang-cli-${process.pid}-${Date.now()}`);
  const script = join(dir, 'bin', 'cli.mjs');
  mkdirSync(dirname(script), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "version": "0.0.0-test", "type": "module" }\n');
  await build({
    entryPoints: [join(root, 'cli', 'main.ts')],
    outfile: script,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // the bin's own libraries (commander, cli-progress) go inside, as tsup puts them; drivers stay out
    external: ['better-sqlite3', 'pg', '@nats-io/*', 'bun:*'],
    banner: {
      js: "import { createRequire as __cliRequire } from 'node:module'; const require = __cliRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  return { script, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What a finished run printed and how it ended. */
export interface CliRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** Runs the CLI with `args` (stdout and stderr are pipes, not terminals) and waits for its end. */
export function runCli(
  cli: BuiltCli,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli.script, ...args],
      { env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ stdout, stderr, code });
      },
    );
  });
}

/** Starts the CLI and leaves it running (for `tail`). */
export function startCli(cli: BuiltCli, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [cli.script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The lines of JSON output, parsed. */
export const jsonLines = (text: string): Array<Record<string, unknown>> =>
  text
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
