/**
 * The hostile-input suite on the drivers that need no service: memory (TypeScript twin and
 * WebAssembly core), SQLite (better-sqlite3) and IndexedDB (fake-indexeddb; test/browser runs
 * Chromium's). A short seeded run here; `npm run test:hostile` runs many more (HOSTILE_RUNS).
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { hostileConformance } from '../../js/conformance/mod.ts';
import { memoryDriver } from '../../js/memory/driver.ts';
import { hostileRuns } from '../support/hostile.ts';
import { loadWasmCore } from '../support/wasm.ts';

const runs = hostileRuns();
hostileConformance('memory', () => memoryDriver(), runs);
const core = await loadWasmCore();
hostileConformance('memory (WebAssembly core)', () => memoryDriver({ core }), runs);
hostileConformance('sqlite (better-sqlite3)', () => sqliteDriver({ path: ':memory:' }), runs);
const indexedDB = new IDBFactory();
let n = 0;
hostileConformance(
  'indexeddb (fake-indexeddb)',
  () => indexedDbDriver({ name: `hostile-${++n}`, indexedDB, IDBKeyRange }),
  { ...runs, numRuns: Math.ceil(runs.numRuns / 2) },
);
