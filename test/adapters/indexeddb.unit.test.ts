import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { indexedDbSuite } from './indexeddb-suite.ts';

// The IndexedDB suite on fake-indexeddb, passed in as the driver's factory (no globals touched).
// test/browser/ runs the same suite in Chromium on the real IndexedDB.
let n = 0;
indexedDbSuite('indexeddb (fake-indexeddb)', {
  indexedDB: new IDBFactory(),
  IDBKeyRange,
  freshName: () => `test-${++n}`,
});
