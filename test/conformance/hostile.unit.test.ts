// @runtimes node deno bun
/**
 * The hostile-input suite on the memory driver (TypeScript twin and WebAssembly core). SQLite runs
 * it from sqlite-suite.ts (better-sqlite3, bun:sqlite, node:sqlite on Deno), IndexedDB from
 * indexeddb-suite.ts (fake-indexeddb, Chromium), PostgreSQL and JetStream from
 * test/adapters/hostile.int.test.ts. A short seeded run here; `npm run test:hostile` runs many more.
 */
import { hostileConformance } from '../../js/conformance/mod.ts';
import { memoryDriver } from '../../js/memory/driver.ts';
import { hostileRuns } from '../support/hostile.ts';
import { loadWasmCore } from '../support/wasm.ts';

const runs = hostileRuns();
hostileConformance('memory', () => memoryDriver(), runs);
const core = await loadWasmCore();
hostileConformance('memory (WebAssembly core)', () => memoryDriver({ core }), runs);
