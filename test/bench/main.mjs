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
const result = spawnSync(
  process.execPath,
  ['--expose-gc', `${outdir}/run.mjs`, ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    cwd: root,
  },
);
process.exit(result.status ?? 1);
