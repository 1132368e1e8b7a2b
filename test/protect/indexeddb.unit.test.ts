// Protected fields on the IndexedDB driver (fake-indexeddb): the ledger's records hold them
// sealed, the keys live in their own database, and forget removes the subject's key record.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { indexedDbDriver, indexedDbKeyStore } from '../../adapters/indexeddb/mod.ts';
import { whizbang } from '../../js/mod.ts';
import { protect, REDACTED } from '../../js/protect/mod.ts';
import { ada, customers, masterKey, Register, Registered, Renamed, register } from './fixture.ts';
import { records } from './idb-records.ts';

describe('protect on IndexedDB', () => {
  it('stores the fields sealed and forgets the key record', async () => {
    const indexedDB = new IDBFactory();
    const master = await masterKey();
    const keys = await indexedDbKeyStore({ name: 'shop', indexedDB });
    const idb = await indexedDbDriver({ name: 'shop', indexedDB, IDBKeyRange });
    const driver = protect(idb, { master, keys, events: [Registered, Renamed] });
    const app = whizbang('shop').receptor(register).perspective(customers).build({ driver });
    await app.send(Register(ada('c-1')));
    await app.send(Register(ada('c-2')));
    await app.waitForPerspectives();
    const ledger = JSON.stringify(await idb.ledger.readAll());
    expect(ledger).toContain('London');
    expect(ledger).not.toContain('ada.c-1@example.org');
    expect(await records(indexedDB, 'shop-keys')).toContain('"id"');

    await driver.forget('c-1');
    expect(await keys.get('c-1')).toBeUndefined();
    await app.rebuild(customers);
    expect(await app.lens(customers).get('c-1')).toMatchObject({
      email: REDACTED,
      street: REDACTED,
    });
    expect(await app.lens(customers).get('c-2')).toMatchObject({ email: 'ada.c-2@example.org' });
    await app.close();
    // the records of both databases: none of c-1's values, in clear or as its key
    const all = (await records(indexedDB, 'shop')) + (await records(indexedDB, 'shop-keys'));
    expect(all).not.toContain('ada.c-1@example.org');
    expect(all).not.toContain('Analytical Engine Row c-1');
    expect(all).toContain('ada.c-2@example.org');
    keys.close?.();
  });
});
