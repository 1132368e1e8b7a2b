// A replica's key store: local copies of the shared keys, fetched when missing, made in the shared
// store first, dropped when the shared store says they were deleted or replaced, and read as
// forgotten offline once dropped.
import { describe, expect, it } from 'vitest';
import type { StoredKey } from '../../js/mod.ts';
import { memoryDriver } from '../../js/mod.ts';
import { memoryKeyStore, protect, replicaKeyStore } from '../../js/protect/mod.ts';
import { offlineDriver } from '../../js/sync/mod.ts';
import { masterKey, Registered } from './fixture.ts';
import { sharedStore } from './shared-keys.ts';

const key = (id: string): StoredKey => ({ id, wrapped: new Uint8Array([1, 2, 3]) });

describe('replicaKeyStore', () => {
  it('keeps local copies and drops those the shared store deleted or replaced', async () => {
    const local = memoryKeyStore();
    const { store: shared, state } = sharedStore();
    const keys = replicaKeyStore({ local, shared });
    await shared.create('a', key('a1'));
    await shared.create('b', key('b1'));
    expect((await keys.get('a'))?.id).toBe('a1');
    expect((await local.get('a'))?.id).toBe('a1'); // copied on first read
    expect((await keys.create('c', key('c1'))).id).toBe('c1');
    expect((await shared.get('c'))?.id).toBe('c1'); // made in the shared store first
    await keys.get('b');

    let seen = await keys.stale(undefined);
    expect(seen.subjects).toEqual([]);
    await shared.delete('a'); // forgotten elsewhere
    await shared.delete('b');
    await shared.create('b', key('b2')); // and made again, with a new key
    await shared.delete('z'); // never held here
    seen = await keys.stale(seen.cursor);
    expect(seen.subjects.sort()).toEqual(['a', 'b']);
    for (const s of seen.subjects) expect(await keys.drop(s)).toBe(true);
    expect(await keys.drop('a')).toBe(false);
    expect(await local.get('a')).toBeUndefined();
    expect((await keys.stale(seen.cursor)).subjects).toEqual([]);

    // online, a missing key is asked for; offline, a dropped one reads as forgotten, others fail
    expect((await keys.get('b'))?.id).toBe('b2');
    state.online = false;
    expect(await keys.get('a')).toBeUndefined();
    await expect(keys.get('never-seen')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      cause: expect.objectContaining({ message: 'offline' }),
    });
    await expect(keys.create('new', key('n1'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(await local.get('new')).toBeUndefined();
    expect((await keys.get('c'))?.id).toBe('c1');
  });

  it('refuses stores that are not key stores, or a shared one without changes', () => {
    expect(() => replicaKeyStore({ local: memoryKeyStore() } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => replicaKeyStore({ local: memoryKeyStore(), shared: memoryKeyStore() })).toThrow(
      /changes/,
    );
  });
});

describe('protect and offlineDriver', () => {
  it('refuses offlineDriver over protect, which would push opened values', async () => {
    const driver = protect(memoryDriver(), {
      master: await masterKey(),
      keys: memoryKeyStore(),
      events: [Registered],
    });
    expect(() => offlineDriver(driver)).toThrow(/protect\(offlineDriver\(driver\)/);
  });
});
