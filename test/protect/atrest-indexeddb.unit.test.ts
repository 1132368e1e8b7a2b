// Encryption at rest on IndexedDB (fake-indexeddb): the raw-record check of the suite Chromium
// also runs, and the store and ledger conformance suites on the wrapped driver.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import { ledgerConformance, storeConformance } from '../../js/conformance/mod.ts';
import { encryptAtRest } from '../../js/protect/mod.ts';
import { atRestIndexedDbSuite } from './atrest-indexeddb-suite.ts';

const indexedDB = new IDBFactory();
let n = 0;
const freshName = () => `atrest-${++n}`;
atRestIndexedDbSuite('indexeddb (fake-indexeddb)', { indexedDB, IDBKeyRange, freshName });

const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
  'encrypt',
  'decrypt',
]);
const fresh = async () =>
  encryptAtRest(await indexedDbDriver({ name: freshName(), indexedDB, IDBKeyRange }), { key });
ledgerConformance('indexeddb encrypted at rest', fresh, { numRuns: 5 });
storeConformance('indexeddb encrypted at rest', fresh);
