/**
 * Entry of the WebAssembly core's benchmarks for any runtime (bundled by runtimes.mjs):
 * `--list`, or one benchmark by exact name.
 */
import { measure } from './harness.ts';
import { benches } from './wasm.bench.ts';

const g = globalThis as { process?: { argv: string[] }; Deno?: { args: string[] } };
const args = g.Deno?.args ?? g.process?.argv.slice(2) ?? [];
if (args[0] === '--list') for (const entry of benches) console.log(entry.name);
else for (const entry of benches) if (entry.name === args[0]) await measure(await entry.make());
