/**
 * `npm run bench [-- prefix]`: runs every benchmark whose name starts with the prefix.
 * Each `*.bench.ts` exports `benches`: named specs, made lazily so unselected ones cost nothing.
 * `main.mjs` bundles this file (no name-keeping wrappers, as a user's bundler would) and runs it.
 */
import { benches as core } from './core.bench.ts';
import { type BenchSpec, measure } from './harness.ts';
import { benches as outbox } from './outbox.bench.ts';
import { benches as policy } from './policy.bench.ts';
import { benches as postgres } from './postgres.bench.ts';
import { benches as sqlite } from './sqlite.bench.ts';
import { benches as timetravel } from './timetravel.bench.ts';
import { benches as wasm } from './wasm.bench.ts';

export interface BenchEntry {
  readonly name: string;
  readonly make: () => Promise<BenchSpec> | BenchSpec;
}

const prefix = process.argv[2] ?? '';
if (prefix === '--list') {
  // main.mjs asks for the names, then runs each benchmark in a process of its own
  for (const entry of [
    ...core,
    ...policy,
    ...outbox,
    ...timetravel,
    ...sqlite,
    ...postgres,
    ...wasm,
  ])
    console.log(entry.name);
  process.exit(0);
}
const all: BenchEntry[] = [
  ...core,
  ...policy,
  ...outbox,
  ...timetravel,
  ...sqlite,
  ...postgres,
  ...wasm,
];
let count = 0;
for (const entry of all) {
  if (process.argv[3] === '--exact' ? entry.name !== prefix : !entry.name.startsWith(prefix))
    continue;
  count++;
  await measure(await entry.make());
}
if (count === 0) {
  console.error(`No benchmark name starts with "${prefix}".`);
  process.exitCode = 1;
}
