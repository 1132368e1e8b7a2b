// After forget, no snapshot of receptor state holds the subject's values: they are dropped and
// the state is folded again from the redacted ledger.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterAll, describe, expect, it } from 'vitest';
import { indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import type { Driver } from '../../js/contracts/driver.ts';
import type { SnapshotStore } from '../../js/contracts/snapshot.ts';
import { defineReceptor, defineState, memoryDriver, whizbang } from '../../js/mod.ts';
import { memoryKeyStore, protect, REDACTED } from '../../js/protect/mod.ts';
import { bytesOf } from './file-bytes.ts';
import { ada, masterKey, Register, Registered, Rename, Renamed, register } from './fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'protectrest-snapshots-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// the state a rename decided on, as the receptor saw it
const seen: { email: string; name: string }[] = [];
const Known = defineState<
  { email: string; name: string },
  ReturnType<typeof Registered | typeof Renamed>
>({
  name: 'protectrest-customer',
  initial: () => ({ email: '', name: '' }),
  evolve: (s, e) =>
    e.type === 'Registered' ? { ...s, email: e.data.email } : { ...s, name: e.data.name },
});
const rename = defineReceptor({
  command: Rename,
  stream: (c) => `customer-${c.data.customerId}`,
  state: Known,
  decide: (c, s) => {
    seen.push(s);
    return Renamed(c.data);
  },
});

async function scenario(inner: Driver, checkpoint?: () => void, dropped = true) {
  const driver = protect(inner, {
    master: await masterKey(),
    keys: memoryKeyStore(),
    events: [Registered, Renamed],
  });
  // the apps close, the driver stays open
  const { close: _, ...kept } = driver;
  const app = whizbang('shop')
    .receptor(register)
    .receptor(rename)
    .build({ driver: kept, snapshotEvery: 2, stateCacheSize: 0 });
  await app.send(Register(ada('c-1')));
  await app.send(Register(ada('c-2')));
  for (const name of ['Ada King', 'Ada Byron']) {
    await app.send(Rename({ customerId: 'c-1', name }));
    await app.send(Rename({ customerId: 'c-2', name: `${name} 2` }));
  }
  await app.close(); // snapshots being saved are done
  const snapshots = inner.snapshots!;
  const before = await snapshots.load('protectrest-customer', 'default', 'customer-c-1');
  expect(before?.state).toMatchObject({ email: 'ada.c-1@example.org' });
  checkpoint?.();
  expect(await driver.forget('c-1')).toBe(true);
  const after = await snapshots.load('protectrest-customer', 'default', 'customer-c-1');
  // a store without `drop` keeps a void snapshot that loading ignores
  if (dropped) expect(after).toBeUndefined();
  else expect(after).toMatchObject({ state: null, schemaVersion: -1 });
  // the other subject's snapshot stays
  expect(await snapshots.load('protectrest-customer', 'default', 'customer-c-2')).toBeDefined();

  const again = whizbang('shop')
    .receptor(register)
    .receptor(rename)
    .build({ driver: kept, snapshotEvery: 2, stateCacheSize: 0 });
  seen.length = 0;
  await again.send(Rename({ customerId: 'c-1', name: 'Countess' }));
  await again.send(Rename({ customerId: 'c-2', name: 'Other' }));
  expect(seen).toEqual([
    { email: REDACTED, name: REDACTED },
    { email: 'ada.c-2@example.org', name: 'Ada Byron 2' },
  ]);
  await again.close();
  return driver;
}

describe('forget and snapshots of receptor state', () => {
  it('drops the memory snapshots of the subject’s streams; state folds to REDACTED', async () => {
    await scenario(memoryDriver());
  });

  it('leaves no snapshot bytes of the subject in the SQLite file or its WAL', async () => {
    const path = join(dir, 'snapshots.db');
    const sqlite = sqliteDriver({ path });
    sqlite.database.exec('PRAGMA secure_delete = ON');
    const checkpoint = () => sqlite.database.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
    await scenario(sqlite, () => {
      checkpoint();
      // the snapshot keeps the email in clear before (the ledger keeps it sealed)
      expect(bytesOf(path)).toContain('ada.c-1@example.org');
    });
    checkpoint();
    const raw = bytesOf(path);
    expect(raw).not.toContain('ada.c-1@example.org');
    expect(raw).not.toContain('Ada King');
    expect(raw).toContain('ada.c-2@example.org');
    sqlite.close();
  });

  it('voids the snapshots of the kinds it saw on a store without drop', async () => {
    const inner = memoryDriver();
    const { drop: _, ...plain } = inner.snapshots!;
    const without = { ...inner, snapshots: plain } as Driver;
    await scenario(without, undefined, false);
  });
});

/** `drop` deletes every kind's snapshot of one stream, and nothing else. */
async function dropsOneStream(store: SnapshotStore): Promise<void> {
  const at = (version: number) => ({
    version,
    state: { v: version },
    schemaVersion: 1,
    takenAt: 1,
  });
  for (const kind of ['a', 'b']) {
    await store.save(kind, 't1', 's1', at(1));
    await store.save(kind, 't1', 's2', at(2));
    await store.save(kind, 't2', 's1', at(3));
  }
  await store.drop!('t1', 's1');
  for (const kind of ['a', 'b']) {
    expect(await store.load(kind, 't1', 's1')).toBeUndefined();
    expect(await store.load(kind, 't1', 's2')).toMatchObject({ version: 2 });
    expect(await store.load(kind, 't2', 's1')).toMatchObject({ version: 3 });
  }
  await store.drop!('t9', 'none'); // nothing to drop: no error
}

describe('SnapshotStore.drop', () => {
  it('memory', async () => {
    await dropsOneStream(memoryDriver().snapshots!);
  });
  it('SQLite', async () => {
    const sqlite = sqliteDriver({ path: ':memory:' });
    await dropsOneStream(sqlite.snapshots!);
    sqlite.close();
  });
  it('IndexedDB', async () => {
    const idb = await indexedDbDriver({
      name: 'protectrest-drop',
      indexedDB: new IDBFactory(),
      IDBKeyRange,
    });
    await dropsOneStream(idb.snapshots);
    idb.close?.();
  });
});
