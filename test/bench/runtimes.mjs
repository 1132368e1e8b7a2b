// `node test/bench/runtimes.mjs [prefix] [node|deno|bun …]`: the WebAssembly core's benchmarks
// (wasm.*, codec.*) on each runtime, each in a process of its own, bundled once with esbuild
// (dependencies included, so Deno and Bun need no resolution of their own).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ensureWasm } from '../../core-wasm/build.mjs';

// a fresh clone has no WebAssembly core yet: build it (and its embedded module) once
ensureWasm();

const root = fileURLToPath(new URL('../..', import.meta.url));
const outdir = `${root}node_modules/.cache/whizbang-bench`;
mkdirSync(outdir, { recursive: true });
// `--footprints-on-node`: main.mjs already ran the rate benchmarks on Node
const onlyFootprintsOnNode = process.argv.includes('--footprints-on-node');
const [prefix = '', ...asked] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const runtimes = asked.length > 0 ? asked : ['node', 'deno', 'bun'];
const bin = {
  node: [process.execPath, '--expose-gc'],
  deno: [
    `${root}node_modules/.bin/deno`,
    'run',
    '-A',
    '--no-config',
    '--no-lock',
    '--v8-flags=--expose-gc',
  ],
  bun: [`${root}node_modules/.bin/bun`, 'run'],
};
await build({
  entryPoints: [`${root}test/bench/wasm-run.ts`],
  bundle: true,
  platform: 'neutral',
  mainFields: ['module', 'main'],
  conditions: ['import', 'default'],
  // every runtime here has Node's built-ins (the Node entry of whizbang/wasm reads files with them)
  external: ['node:*'],
  format: 'esm',
  target: 'es2022',
  outfile: `${outdir}/wasm-run.mjs`,
  logLevel: 'warning',
});
const run = (runtime, args, stdio) =>
  spawnSync(bin[runtime][0], [...bin[runtime].slice(1), `${outdir}/wasm-run.mjs`, ...args], {
    stdio,
    cwd: root,
  });
const names = String(run('node', ['--list'], ['ignore', 'pipe', 'inherit']).stdout)
  .split('\n')
  .filter((name) => name.length > 0 && name.startsWith(prefix));
let status = 0;
for (const runtime of runtimes) {
  console.error(`── ${runtime}`);
  for (const name of names) {
    if (runtime === 'node' && onlyFootprintsOnNode && !name.includes('footprint')) continue;
    status ||= run(runtime, [name], 'inherit').status ?? 1;
  }
}
process.exit(status);
