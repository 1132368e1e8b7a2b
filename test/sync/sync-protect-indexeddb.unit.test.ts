/**
 * A protected IndexedDB replica (fake-indexeddb), in clear and encrypted at rest
 * (`protect(offlineDriver(encryptAtRest(…)))`), syncing with a shared log in memory: its records
 * and the log hold sealed values only; a subject forgotten on the server is dropped at the next
 * round (the key record gone from the replica's key database, the models rebuilt redacted); and a
 * round the shared key store cannot answer fails and is tried again, never half-applied.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { indexedDbDriver, indexedDbKeyStore } from '../../adapters/indexeddb/mod.ts';
import { memoryDriver, memoryLedger, whizbang } from '../../js/mod.ts';
import { encryptAtRest } from '../../js/protect/at-rest.ts';
import { protect, REDACTED, replicaKeyStore } from '../../js/protect/mod.ts';
import { offlineDriver, startSync } from '../../js/sync/mod.ts';
import { ada, customers, masterKey, Register, Registered, register } from '../protect/fixture.ts';
import { records } from '../protect/idb-records.ts';
import { sharedStore } from '../protect/shared-keys.ts';

describe.each([
  ['in clear', false],
  ['encrypted at rest', true],
])('offline sync of protected fields on an IndexedDB replica %s', (_label, atRest) => {
  it('keeps records sealed, drops forgotten keys at the next round, retries when the key store is away', async () => {
    const indexedDB = new IDBFactory();
    const master = await masterKey();
    const { store: shared, state } = sharedStore();
    const remote = memoryLedger();
    const events = [Registered];
    // the server: its ledger is the shared log
    const hq = protect(
      { name: 'hq', ledger: remote, store: memoryDriver().store },
      { master, keys: shared, events },
    );
    const server = whizbang('shop').receptor(register).build({ driver: hq });

    const name = 'keysync-replica';
    const idb = await indexedDbDriver({ name, indexedDB, IDBKeyRange });
    const local = atRest
      ? await encryptAtRest(idb, {
          key: await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
            'encrypt',
            'decrypt',
          ]),
        })
      : idb;
    const localKeys = await indexedDbKeyStore({ name, indexedDB });
    const keys = replicaKeyStore({ local: localKeys, shared });
    const app = whizbang('shop')
      .receptor(register)
      .perspective(customers)
      .build({ driver: protect(offlineDriver(local), { master, keys, events }) });
    const sync = startSync(app, { remote });

    await app.send(Register(ada('r-1')));
    await server.send(Register(ada('s-1')));
    expect(await sync.run()).toMatchObject({ pulled: 1, pushed: 1, forgotten: 0 });
    expect(await app.lens(customers).get('s-1')).toMatchObject({ email: 'ada.s-1@example.org' });
    const log = JSON.stringify(await remote.readAll());
    expect(log).toContain('London');
    expect(log).not.toContain('@example.org');
    const held = await localKeys.get('s-1');
    const wrapped = JSON.stringify(Array.from(held!.wrapped));
    expect(await records(indexedDB, `${name}-keys`)).toContain(wrapped);

    // the key store cannot be reached: the round fails before anything, the next one does it all
    await hq.forget('s-1');
    state.online = false;
    await expect(sync.run()).rejects.toThrow('offline');
    expect(await app.lens(customers).get('s-1')).toMatchObject({ email: 'ada.s-1@example.org' });
    state.online = true;
    expect(await sync.run()).toMatchObject({ forgotten: 1, conflicts: 0 });
    expect(await app.lens(customers).get('s-1')).toMatchObject({ email: REDACTED });
    expect(await app.lens(customers).get('r-1')).toMatchObject({ email: 'ada.r-1@example.org' });
    const replica = await records(indexedDB, name);
    if (atRest) {
      expect(replica).not.toContain('ada.r-1@example.org'); // the read model is sealed at rest too
      expect(replica).not.toContain('London');
      expect(replica).toContain('at-rest.1:');
    } else expect(replica).toContain('ada.r-1@example.org'); // positive control: the read model
    expect(replica).not.toContain('ada.s-1@example.org');
    expect(replica).not.toContain('Analytical Engine Row s-1');
    expect(await localKeys.get('s-1')).toBeUndefined();
    expect(await records(indexedDB, `${name}-keys`)).not.toContain(wrapped);
    await app.close();
    await server.close();
  });
});
