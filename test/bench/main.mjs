// Bundles the benchmarks with esbuild (as a user's bundler would, without name-keeping wrappers)
// and runs each in a process of its own: on Node, and on Bun and Deno for those that name them.
// `npm run bench -- sqlite` runs every benchmark whose name starts with `sqlite`, on each of its
// runtimes; `npm run bench -- sqlite bun deno` only on those runtimes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ensureWasm } from '../../core-wasm/build.mjs';

// a fresh clone has no WebAssembly core yet: build it (and its embedded module) once
ensureWasm();

const root = fileURLToPath(new URL('../..', import.meta.url));
const outdir = `${root}node_modules/.cache/whizbang-bench`;
mkdirSync(outdir, { recursive: true });
const bundle = (entry, outfile, target) =>
  build({
    entryPoints: [`${root}test/bench/${entry}`],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target,
    packages: 'external',
    outfile: `${outdir}/${outfile}`,
    logLevel: 'warning',
  });
// run.ts has every benchmark (Node); portable.ts those that also run on Bun and Deno, and imports
// no package, so Bun and Deno need nothing from node_modules
await Promise.all([
  bundle('run.ts', 'run.mjs', 'node20'),
  bundle('portable.ts', 'portable.mjs', 'esnext'),
]);

const binary = (name) => {
  const local = join(root, 'node_modules', '.bin', name);
  return existsSync(local) ? local : name;
};
// Each benchmark's files go in a temp dir of the run: Deno may write there and nowhere else.
const scratch = mkdtempSync(join(tmpdir(), 'whizbang-bench-'));
const env = { ...process.env, TMPDIR: scratch, TMP: scratch, TEMP: scratch, NO_COLOR: '1' };
const RUNTIMES = {
  node: (args) => [process.execPath, '--expose-gc', `${outdir}/run.mjs`, ...args],
  bun: (args) => [
    binary('bun'),
    '--no-install',
    '--no-env-file',
    `${outdir}/portable.mjs`,
    ...args,
  ],
  deno: (args) => [
    binary('deno'),
    'run',
    '--no-config',
    '--no-lock',
    '--no-remote',
    '--no-prompt',
    `--allow-read=${outdir},${scratch}`,
    `--allow-write=${scratch}`,
    '--allow-env=TMPDIR,TMP,TEMP',
    `${outdir}/portable.mjs`,
    ...args,
  ],
};
const start = (runtime, args, stdio) => {
  const [command, ...rest] = RUNTIMES[runtime](args);
  return spawnSync(command, rest, { stdio, cwd: root, env });
};

const [prefix = '', ...only] = process.argv.slice(2);
const unknown = only.filter((name) => !(name in RUNTIMES));
if (unknown.length > 0) {
  console.error(`Unknown runtime ${unknown.join(', ')}: choose from ${Object.keys(RUNTIMES)}.`);
  process.exit(2);
}
const listed = String(start('node', ['--list'], ['ignore', 'pipe', 'inherit']).stdout)
  .split('\n')
  .filter((line) => line.length > 0)
  .map((line) => {
    const [name, runtimes] = line.split(' ');
    return {
      name,
      runtimes: runtimes.split(',').filter((r) => only.length === 0 || only.includes(r)),
    };
  })
  .filter(({ name, runtimes }) => name.startsWith(prefix) && runtimes.length > 0);
if (listed.length === 0) {
  console.error(`No benchmark name starts with "${prefix}"${only.length ? ` on ${only}` : ''}.`);
  process.exit(1);
}
let status = 0;
const missing = new Set();
try {
  for (const { name, runtimes } of listed) {
    for (const runtime of runtimes) {
      if (missing.has(runtime)) continue;
      const r = start(runtime, [name, '--exact'], 'inherit');
      if (r.error) {
        console.error(
          `${runtime} did not start (${r.error.message}): its benchmarks are left out.`,
        );
        missing.add(runtime);
      }
      status ||= r.status ?? 1;
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
// the WebAssembly core's benchmarks again on Deno and Bun, and the ledger's footprint on all three
if (
  'wasm.'.startsWith(prefix) ||
  'codec.'.startsWith(prefix) ||
  /^(wasm|codec|ledger)/.test(prefix)
) {
  const more = spawnSync(
    process.execPath,
    [`${root}test/bench/runtimes.mjs`, prefix, 'node', 'deno', 'bun', '--footprints-on-node'],
    { stdio: 'inherit', cwd: root },
  );
  status ||= more.status ?? 1;
}
process.exit(status);
