/** Store writes: get/put/delete in transactions, rollback, checkpoints, clear, isolation. */
import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { chain, each } from '../../kit/mod.ts';
import { caught, type DriverBox, sleep } from '../helpers.ts';
import type { StoredModel } from '../whizbang.ts';

const P = 'accounts';

/** A stored account row; `model` is readable test data. */
export function account(
  id: string,
  model: Record<string, unknown> = {},
  tenant = 'default',
): StoredModel {
  return {
    id,
    tenant,
    model: { owner: faker.person.fullName(), balance: faker.number.int(5_000), ...model },
    version: faker.number.int({ min: 1, max: 50 }),
    position: faker.number.int({ min: 1, max: 10_000 }),
    updatedAt: faker.date.recent().getTime(),
  };
}

/** Registers the store write tests. */
export function writeSuite(driver: DriverBox): void {
  describe('writes', () => {
    it('puts, reads and deletes rows through transactions, keeping every field', async () => {
      const { store } = driver.current;
      const row = account('a-1', { tags: ['vip'], address: { city: faker.location.city() } });
      expect(await store.get(P, 'default', 'a-1')).toBeUndefined();
      await store.transaction((tx) => tx.put(P, row));
      expect(await store.get(P, 'default', 'a-1')).toEqual(row);

      const changed = { ...row, model: { balance: 1 }, version: row.version + 1 };
      await store.transaction((tx) => tx.put(P, changed));
      expect(await store.get(P, 'default', 'a-1')).toEqual(changed);

      await store.transaction((tx) => tx.delete(P, 'default', 'a-1'));
      expect(await store.get(P, 'default', 'a-1')).toBeUndefined();
      await store.transaction((tx) => tx.delete(P, 'default', 'never-there'));
      expect(await store.query(P, 'default', {})).toEqual([]);
    });

    it('a transaction reads its own writes and returns what its callback returns', async () => {
      const { store } = driver.current;
      const row = account('own');
      const sync = await store.transaction((tx) => chain(tx.put(P, row), () => 'sync result'));
      expect(sync).toBe('sync result');
      const seen = await store.transaction(async (tx) => {
        await tx.put(P, { ...row, version: 99 });
        return tx.get(P, 'default', 'own');
      });
      expect(seen).toEqual({ ...row, version: 99 });
    });

    it('a row put and deleted in one transaction is gone, and only that row', async () => {
      const { store } = driver.current;
      const keep = [account('twin'), account('twin', {}, 'acme'), account('other')];
      const seen = await store.transaction(async (tx) => {
        for (const row of keep) await tx.put(P, row);
        await tx.put('other', account('twin', {}, 'acme'));
        const before = await tx.get('other', 'acme', 'twin');
        await tx.delete('other', 'acme', 'twin');
        return { before, after: await tx.get('other', 'acme', 'twin') };
      });
      expect(seen.before).toMatchObject({ id: 'twin', tenant: 'acme' });
      expect(seen.after).toBeUndefined();
      expect(await store.get('other', 'acme', 'twin')).toBeUndefined();
      for (const row of keep) expect(await store.get(P, row.tenant, row.id)).toEqual(row);
    });

    it('keeps perspectives and tenants apart', async () => {
      const { store } = driver.current;
      await store.transaction(async (tx) => {
        await tx.put(P, account('same', { balance: 1 }, 'acme'));
        await tx.put(P, account('same', { balance: 2 }, 'globex'));
        await tx.put('other', account('same', { balance: 3 }, 'acme'));
      });
      expect(await store.get(P, 'acme', 'same')).toMatchObject({ model: { balance: 1 } });
      expect(await store.get(P, 'globex', 'same')).toMatchObject({ model: { balance: 2 } });
      expect(await store.get('other', 'acme', 'same')).toMatchObject({ model: { balance: 3 } });
      expect(await store.get(P, 'default', 'same')).toBeUndefined();
      const acme = await store.query(P, 'acme', {});
      expect(acme.map((r) => [r.tenant, r.id])).toEqual([['acme', 'same']]);
      expect(acme[0]?.model).toMatchObject({ balance: 1 });
      expect((await store.query(P, 'initech', {})).length).toBe(0);
      await store.transaction((tx) => tx.delete(P, 'acme', 'same'));
      expect(await store.get(P, 'globex', 'same')).toMatchObject({ model: { balance: 2 } });
    });

    it('checkpoints start at 0, move when set, and belong to one perspective', async () => {
      const { store } = driver.current;
      expect(await store.checkpoint(P)).toBe(0);
      await store.transaction((tx) => tx.setCheckpoint(P, 7));
      expect(await store.checkpoint(P)).toBe(7);
      await store.transaction((tx) => tx.setCheckpoint(P, 12));
      expect(await store.checkpoint(P)).toBe(12);
      expect(await store.checkpoint('other')).toBe(0);
    });

    for (const mode of ['throws', 'rejects', 'rejects after awaiting'] as const) {
      it(`keeps nothing when the callback ${mode}`, async () => {
        const { store } = driver.current;
        const kept = account('kept');
        const gone = account('gone');
        await store.transaction(async (tx) => {
          await tx.put(P, kept);
          await tx.put(P, gone);
          await tx.setCheckpoint(P, 5);
        });
        const boom = new Error('perspective failed');
        const error = await caught(() =>
          store.transaction((tx) => {
            const steps = [
              () => tx.put(P, account('fresh')),
              () => tx.put(P, { ...kept, model: { balance: -1 } }),
              () => tx.delete(P, 'default', 'gone'),
              () => tx.setCheckpoint(P, 9),
            ];
            // "throws" stays synchronous as long as the store does
            if (mode === 'throws') {
              return chain(
                each(steps, (step) => step()),
                () => {
                  throw boom;
                },
              );
            }
            return (async () => {
              if (mode === 'rejects after awaiting') await sleep(1);
              for (const step of steps) await step();
              if (mode === 'rejects after awaiting') await sleep(1);
              throw boom;
            })();
          }),
        );
        expect(error).toBe(boom);
        expect(await store.get(P, 'default', 'fresh')).toBeUndefined();
        expect(await store.get(P, 'default', 'kept')).toEqual(kept);
        expect(await store.get(P, 'default', 'gone')).toEqual(gone);
        expect(await store.checkpoint(P)).toBe(5);
      });
    }

    it('a failed first checkpoint leaves the checkpoint at 0', async () => {
      const { store } = driver.current;
      await caught(() =>
        store.transaction(async (tx) => {
          await tx.setCheckpoint(P, 3);
          throw new Error('no');
        }),
      );
      expect(await store.checkpoint(P)).toBe(0);
    });

    it('a failing transaction never undoes what another one committed meanwhile', async () => {
      const { store } = driver.current;
      const loser = store.transaction(async (tx) => {
        await tx.put(P, account('shared', { balance: 1 }));
        await tx.setCheckpoint(P, 1);
        await sleep(20);
        throw new Error('loser fails');
      });
      const winnerRow = account('shared', { balance: 2 });
      const winner = store.transaction(async (tx) => {
        await sleep(1);
        await tx.put(P, winnerRow);
        await tx.setCheckpoint(P, 2);
      });
      const [lost, won] = await Promise.allSettled([loser, winner]);
      expect(lost?.status).toBe('rejected');
      expect(won?.status).toBe('fulfilled');
      expect(await store.get(P, 'default', 'shared')).toEqual(winnerRow);
      expect(await store.checkpoint(P)).toBe(2);
    });

    it('clear removes the rows (every tenant) and checkpoint of one perspective only', async () => {
      const { store } = driver.current;
      await store.transaction(async (tx) => {
        await tx.put(P, account('a'));
        await tx.put(P, account('b', {}, 'acme'));
        await tx.setCheckpoint(P, 10);
        await tx.put('other', account('a'));
        await tx.setCheckpoint('other', 4);
      });
      await store.clear(P);
      expect(await store.get(P, 'default', 'a')).toBeUndefined();
      expect(await store.get(P, 'acme', 'b')).toBeUndefined();
      expect(await store.query(P, 'default', {})).toEqual([]);
      expect(await store.checkpoint(P)).toBe(0);
      expect(await store.get('other', 'default', 'a')).toMatchObject({ id: 'a' });
      expect(await store.checkpoint('other')).toBe(4);

      const again = account('a');
      await store.transaction(async (tx) => {
        await tx.put(P, again);
        await tx.setCheckpoint(P, 1);
      });
      expect(await store.get(P, 'default', 'a')).toEqual(again);
      expect(await store.checkpoint(P)).toBe(1);
    });
  });
}
