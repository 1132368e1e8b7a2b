// Encryption at rest on IndexedDB (fake-indexeddb): the raw-record check of the suite Chromium
// also runs, and the store and ledger conformance suites on the wrapped driver.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import { ledgerConformance, storeConformance } from '../../js/conformance/mod.ts';
import { encryptAtRest } from '../../js/protect/at-rest.ts';
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

describe('indexeddb segments encrypted at rest (fake-indexeddb)', () => {
  it('seals sealed payloads into segments: reads open them, the segments hold no plaintext', async () => {
    const name = freshName();
    const idb = await indexedDbDriver({
      name,
      indexedDB,
      IDBKeyRange,
      segments: { size: 4, background: false },
    });
    const driver = await encryptAtRest(idb, { key });
    for (let i = 0; i < 3; i++) {
      await driver.ledger.append(`s-${i}`, [
        { type: 'Noted', data: { text: `segment-secret-${i}` } },
        { type: 'Noted', data: { text: `segment-secret-${i}b` } },
        { type: 'Noted', data: { text: `segment-secret-${i}c` } },
      ]);
    }
    expect(await idb.segments!.seal({ all: true })).toBe(9);
    const read = await driver.ledger.readAll();
    expect(read.map((e) => (e.data as { text: string }).text)).toContain('segment-secret-2c');
    expect((await driver.ledger.readStream('s-1')).map((e) => e.version)).toEqual([1, 2, 3]);
    const raw = JSON.stringify(await idb.ledger.readAll());
    expect(raw).toContain('at-rest.1:');
    expect(raw).not.toContain('segment-secret');
    await driver.close?.();
  });
});
