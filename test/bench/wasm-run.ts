/**
 * Entry of the WebAssembly core's benchmarks for any runtime (bundled by runtimes.mjs):
 * `--list`, or one benchmark by exact name.
 */
import { measure } from './harness.ts';
import { benches as core, footprint } from './wasm.bench.ts';
import { benches as route } from './wasm-route.bench.ts';

const benches = [...core, ...route];

const g = globalThis as { process?: { argv: string[] }; Deno?: { args: string[] } };
const args = g.Deno?.args ?? g.process?.argv.slice(2) ?? [];
const FOOTPRINTS = ['ledger.memory.footprint.js', 'ledger.memory.footprint.wasm'];
if (args[0] === '--list')
  for (const name of [...benches.map((e) => e.name), ...FOOTPRINTS]) console.log(name);
else if (FOOTPRINTS.includes(args[0] ?? ''))
  await footprint(args[0]!.endsWith('wasm') ? 'wasm' : 'js');
else for (const entry of benches) if (entry.name === args[0]) await measure(await entry.make());
