/**
 * Node side of the cross-runtime runner: finds the marked test files, starts Deno or Bun on
 * `harness.mjs` with `vitest` mapped to the shim, and turns the protocol lines into a result.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PREFIX } from './protocol.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..', '..');
const HARNESS = join(here, 'harness.mjs');
const MARKER = /^\/\/ @runtimes((?: [\w-]+)+)\s*$/;

/** A whole runtime run may not take longer than this (a sync infinite loop defeats per-test timeouts). */
const RUN_TIMEOUT_MS = Number(process.env.RUNTIMES_TIMEOUT_MS ?? 300_000);

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

/**
 * `test/**\/*.unit.test.ts` and `*.int.test.ts` (those need a service: NATS) files whose first
 * line is `// @runtimes …` naming `runtime`.
 */
export async function findMarkedFiles(runtime) {
  const files = [];
  for await (const path of walk(join(ROOT, 'test'))) {
    if (!path.endsWith('.unit.test.ts') && !path.endsWith('.int.test.ts')) continue;
    const firstLine = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
    const names = MARKER.exec(firstLine)?.[1].trim().split(' ') ?? [];
    if (names.includes(runtime)) files.push(relative(ROOT, path).split(sep).join('/'));
  }
  return files.sort();
}

/** `host:port` of a service the tests use: from the URL in `variable`, else `fallback`. */
function address(variable, fallback, defaultPort) {
  try {
    const url = new URL(process.env[variable] ?? `x://${fallback}`);
    return `${url.hostname}:${url.port || defaultPort}`;
  } catch {
    return fallback;
  }
}

/** The NATS server (`NATS_URL`, default 127.0.0.1:4222) and RabbitMQ (`RABBITMQ_URL`, :5672). */
function serviceAddresses() {
  return [
    address('NATS_URL', '127.0.0.1:4222', 4222),
    address('RABBITMQ_URL', '127.0.0.1:5672', 5672),
  ].join(',');
}

/** The command that starts `name` (deno, bun): its binary in node_modules, else its name on PATH. */
export function binary(name) {
  const local = join(ROOT, 'node_modules', '.bin', name);
  // installed without its postinstall (--ignore-scripts), bun's bin is a script that only says
  // so; the binary itself is in its platform package
  const platform = join(ROOT, 'node_modules', '@oven', `bun-${process.platform}-${process.arch}`);
  if (name === 'bun' && existsSync(local) && statSync(local).size < 4096) {
    for (const dir of [platform, `${platform}-baseline`]) {
      if (existsSync(join(dir, 'bin', 'bun'))) return join(dir, 'bin', 'bun');
    }
  }
  return existsSync(local) ? local : name;
}

/**
 * How each runtime is started; `prepare` may write files into a fresh temp dir. Tests get
 * `scratch`, inside it, as their TMPDIR (`os.tmpdir()`): what they leave there goes with the run.
 */
export const RUNTIMES = {
  deno: {
    async prepare(tmp, scratch) {
      const importMap = join(tmp, 'import_map.json');
      const shim = pathToFileURL(join(here, 'vitest-shim.mjs')).href;
      await writeFile(importMap, JSON.stringify({ imports: { vitest: shim } }));
      return [
        binary('deno'),
        'run',
        // Only the generated import map: no deno.json discovery, no lockfile, nothing remote.
        '--no-config',
        '--no-lock',
        '--no-remote',
        '--cached-only',
        // npm packages come from the existing node_modules, found through package.json.
        '--node-modules-dir=manual',
        '--no-prompt',
        // Read: test files are imported by computed URL and `expect` is loaded with require().
        // Read and write the scratch dir (the tests' TMPDIR): the SQLite tests keep their files there.
        `--allow-read=${ROOT},${scratch}`,
        `--allow-write=${scratch}`,
        // the network: the tests' NATS server and RabbitMQ broker only
        `--allow-net=${serviceAddresses()}`,
        // All of env, not a list: jest-util's ci-info reads dozens of CI vendors' variables at import.
        '--allow-env',
        `--import-map=${importMap}`,
        HARNESS,
      ];
    },
  },
  bun: {
    async prepare() {
      return [
        binary('bun'),
        '--no-install',
        '--no-env-file',
        `--preload=${join(here, 'bun-preload.mjs')}`,
        HARNESS,
      ];
    },
  },
};

/**
 * Runs `files` under `runtime`. Resolves to `{ runtime, version, results, problems, output, ms }`:
 * `results` as the harness reported them, `problems` for a runtime that failed to start or died.
 */
export async function runRuntime(runtime, files) {
  const started = performance.now();
  const tmp = await mkdtemp(join(tmpdir(), `whizbang-${runtime}-`));
  const run = { runtime, version: runtime, results: [], problems: [], output: [], ms: 0 };
  try {
    const scratch = join(tmp, 'scratch');
    await mkdir(scratch);
    const [command, ...args] = await RUNTIMES[runtime].prepare(tmp, scratch);
    const env = { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' };
    // os.tmpdir() reads TMPDIR on POSIX, TMP or TEMP on Windows
    Object.assign(env, { TMPDIR: scratch, TMP: scratch, TEMP: scratch });
    delete env.FORCE_COLOR;
    const child = spawn(command, [...args, ...files], { cwd: ROOT, env, stdio: 'pipe' });
    child.stdin.end();
    let done = false;
    let killed = false;
    let currentFile;
    let pending = '';
    const onLine = (line) => {
      if (!line.startsWith(PREFIX)) {
        if (line.trim()) run.output.push(line);
        return;
      }
      const event = JSON.parse(line.slice(PREFIX.length));
      if (event.type === 'start') run.version = event.runtime;
      else if (event.type === 'file') currentFile = event.file;
      else if (event.type === 'result') run.results.push(event);
      else if (event.type === 'done') done = true;
    };
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop();
      lines.forEach(onLine);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      run.output.push(...chunk.split('\n').filter((line) => line.trim()));
    });
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, RUN_TIMEOUT_MS);
    const exit = await new Promise((resolve) => {
      child.on('error', (error) => resolve({ error }));
      child.on('close', (code, signal) => resolve({ code, signal }));
    });
    clearTimeout(timer);
    if (pending) onLine(pending);
    const during = currentFile ? ` while running ${currentFile}` : '';
    if (exit.error) run.problems.push(`could not start ${command}: ${exit.error.message}`);
    else if (killed) {
      run.problems.push(`killed after ${RUN_TIMEOUT_MS}ms${during} (RUNTIMES_TIMEOUT_MS sets it)`);
    } else if (!done) {
      run.problems.push(
        `exited (${exit.signal ?? `code ${exit.code}`})${during} before it finished`,
      );
    } else {
      const failed = run.results.some((r) => r.status === 'fail');
      if (exit.code !== (failed ? 1 : 0)) run.problems.push(`unexpected exit code ${exit.code}`);
    }
  } catch (error) {
    run.problems.push(`could not run ${runtime}: ${error.message}`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  run.ms = performance.now() - started;
  return run;
}

/** Counts of a run; a runtime problem counts as one failure so that it cannot pass unnoticed. */
export function countsOf(run) {
  const count = (status) => run.results.filter((r) => r.status === status).length;
  return {
    passed: count('pass'),
    failed: count('fail') + run.problems.length,
    skipped: count('skip') + count('todo'),
  };
}
