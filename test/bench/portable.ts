/**
 * The benchmarks that run on Bun and Deno as well as Node: the SQLite driver against the raw SQLite
 * of the runtime it runs on. `main.mjs` bundles this file apart from `run.ts`, so that Bun and Deno
 * load none of the Node-only comparisons (Emmett, cockatiel) nor their native modules.
 */
import { runBenches } from './harness.ts';
import { benches as lens } from './lens.bench.ts';
import { benches as sqlite } from './sqlite.bench.ts';

await runBenches([...sqlite, ...lens]);
