// Bundles the benchmarks with esbuild (as a user's bundler would, without name-keeping wrappers)
// and runs them on Node. Arguments pass through: `npm run bench -- ledger.memory`.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outdir = `${root}node_modules/.cache/whizbang-bench`;
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: [`${root}test/bench/run.ts`],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: `${outdir}/run.mjs`,
  logLevel: 'warning',
});
// One process per benchmark: a figure never pays for the heap another one left behind.
const node = (args, stdio) =>
  spawnSync(process.execPath, ['--expose-gc', `${outdir}/run.mjs`, ...args], { stdio, cwd: root });
const prefix = process.argv[2] ?? '';
const names = String(node(['--list'], ['ignore', 'pipe', 'inherit']).stdout)
  .split('\n')
  .filter((name) => name.length > 0 && name.startsWith(prefix));
if (names.length === 0) {
  console.error(`No benchmark name starts with "${prefix}".`);
  process.exit(1);
}
let status = 0;
for (const name of names) status ||= node([name, '--exact'], 'inherit').status ?? 1;
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
