import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import { bankOnIndexedDb } from './indexeddb/bank.ts';
import { indexedDbSuite } from './indexeddb-suite.ts';

// The IndexedDB suite and the bank on fake-indexeddb, passed in as the driver's factory (no
// globals touched). test/browser/ runs the same in Chromium on the real IndexedDB.
const indexedDB = new IDBFactory();
let n = 0;
const freshName = () => `test-${++n}`;
indexedDbSuite('indexeddb (fake-indexeddb)', { indexedDB, IDBKeyRange, freshName });
bankOnIndexedDb(
  'indexeddb (fake-indexeddb)',
  (name) => indexedDbDriver({ name, indexedDB, IDBKeyRange }),
  freshName,
);
