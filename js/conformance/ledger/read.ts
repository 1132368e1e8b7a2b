/** Reading: readStream and readAll windows and filters, streamVersion, headPosition, watch. */
import { describe, expect, it } from 'vitest';
import { accountEvent, accountEvents, caught, eventually, range, sleep } from '../helpers.ts';
import type { Ledger, MaybePromise, RecordedEvent } from '../whizbang.ts';
import { isWhizbangError } from '../whizbang.ts';
import type { LedgerContext } from './context.ts';

/** 12 events: a1..a5 on "a" (default tenant), b1..b4 on "b" (tenant t2), interleaved. */
async function seed(ledger: Ledger): Promise<void> {
  await ledger.append('a', [accountEvent('Opened'), accountEvent('Deposited')]); // 1, 2
  await ledger.append('b', [accountEvent('Opened')], { tenant: 't2' }); // 3
  await ledger.append('a', [accountEvent('Withdrawn')]); // 4
  await ledger.append('b', [accountEvent('Deposited'), accountEvent('Deposited')], {
    tenant: 't2',
  }); // 5, 6
  await ledger.append('a', [accountEvent('Deposited'), accountEvent('Closed')]); // 7, 8
  await ledger.append('b', [accountEvent('Withdrawn')], { tenant: 't2' }); // 9
  await ledger.append('b', accountEvents(3, 'Deposited')); // 10..12, "b" in the default tenant
}

const positions = async (read: MaybePromise<RecordedEvent[]>): Promise<number[]> =>
  (await read).map((e) => e.position);
const versions = async (read: MaybePromise<RecordedEvent[]>): Promise<number[]> =>
  (await read).map((e) => e.version);

/** Registers the read tests. */
export function readSuite({ driver, options }: LedgerContext): void {
  describe('read', () => {
    it('readStream reads from, to and limit (inclusive, by version)', async () => {
      const { ledger } = driver.current;
      await seed(ledger);
      expect(await versions(ledger.readStream('a'))).toEqual([1, 2, 3, 4, 5]);
      expect(await positions(ledger.readStream('a'))).toEqual([1, 2, 4, 7, 8]);
      expect(await versions(ledger.readStream('a', { from: 3 }))).toEqual([3, 4, 5]);
      expect(await versions(ledger.readStream('a', { to: 2 }))).toEqual([1, 2]);
      expect(await versions(ledger.readStream('a', { from: 2, to: 4 }))).toEqual([2, 3, 4]);
      expect(await versions(ledger.readStream('a', { from: 2, limit: 2 }))).toEqual([2, 3]);
      expect(await versions(ledger.readStream('a', { from: 2, to: 3, limit: 5 }))).toEqual([2, 3]);
      expect(await versions(ledger.readStream('a', { limit: 0 }))).toEqual([]);
      expect(await versions(ledger.readStream('a', { from: 6 }))).toEqual([]);
      expect(await versions(ledger.readStream('a', { from: 4, to: 3 }))).toEqual([]);
      expect(await versions(ledger.readStream('a', { to: 99 }))).toEqual([1, 2, 3, 4, 5]);
      expect(await versions(ledger.readStream('b', { tenant: 't2', from: 2 }))).toEqual([2, 3, 4]);
      expect(await versions(ledger.readStream('nope'))).toEqual([]);
    });

    it('readAll reads from, to and limit (inclusive, by position)', async () => {
      const { ledger } = driver.current;
      await seed(ledger);
      expect(await positions(ledger.readAll())).toEqual(range(1, 12));
      expect(await positions(ledger.readAll({ from: 5 }))).toEqual(range(5, 12));
      expect(await positions(ledger.readAll({ to: 4 }))).toEqual(range(1, 4));
      expect(await positions(ledger.readAll({ from: 3, to: 6 }))).toEqual(range(3, 6));
      expect(await positions(ledger.readAll({ from: 3, limit: 2 }))).toEqual([3, 4]);
      expect(await positions(ledger.readAll({ limit: 0 }))).toEqual([]);
      expect(await positions(ledger.readAll({ from: 13 }))).toEqual([]);
      expect(await positions(ledger.readAll({ from: 7, to: 6 }))).toEqual([]);
    });

    it('readAll filters by types and tenant, and limit counts matching events', async () => {
      const { ledger } = driver.current;
      await seed(ledger);
      expect(await positions(ledger.readAll({ types: ['Deposited'] }))).toEqual([
        2, 5, 6, 7, 10, 11, 12,
      ]);
      expect(await positions(ledger.readAll({ types: ['Opened', 'Closed'] }))).toEqual([1, 3, 8]);
      expect(await positions(ledger.readAll({ types: ['Nothing'] }))).toEqual([]);
      expect(await positions(ledger.readAll({ types: [] }))).toEqual([]);
      expect(await positions(ledger.readAll({ tenant: 't2' }))).toEqual([3, 5, 6, 9]);
      expect(await positions(ledger.readAll({ tenant: 'default' }))).toEqual([
        1, 2, 4, 7, 8, 10, 11, 12,
      ]);
      expect(await positions(ledger.readAll({ tenant: 'nobody' }))).toEqual([]);
      expect(
        await positions(ledger.readAll({ tenant: 'default', types: ['Deposited'], from: 3 })),
      ).toEqual([7, 10, 11, 12]);
      expect(await positions(ledger.readAll({ types: ['Deposited'], limit: 3 }))).toEqual([
        2, 5, 6,
      ]);
      expect(
        await positions(ledger.readAll({ types: ['Deposited'], from: 6, to: 11, limit: 3 })),
      ).toEqual([6, 7, 10]);
      for (const event of await ledger.readAll({ tenant: 't2' })) expect(event.tenant).toBe('t2');
    });

    it('rejects negative or fractional read bounds with INVALID_ARGUMENT', async () => {
      const { ledger } = driver.current;
      await seed(ledger);
      for (const bad of [{ from: -1 }, { to: -2 }, { limit: -1 }, { limit: 1.5 }]) {
        const onStream = await caught(() => ledger.readStream('a', bad));
        expect(isWhizbangError(onStream, 'INVALID_ARGUMENT')).toBe(true);
        const onAll = await caught(() => ledger.readAll(bad));
        expect(isWhizbangError(onAll, 'INVALID_ARGUMENT')).toBe(true);
      }
    });

    it('streamVersion and headPosition start at 0 and follow appends', async () => {
      const { ledger } = driver.current;
      expect(await ledger.headPosition()).toBe(0);
      expect(await ledger.streamVersion('a')).toBe(0);
      await seed(ledger);
      expect(await ledger.headPosition()).toBe(12);
      expect(await ledger.streamVersion('a')).toBe(5);
      expect(await ledger.streamVersion('b')).toBe(3);
      expect(await ledger.streamVersion('b', { tenant: 't2' })).toBe(4);
      expect(await ledger.streamVersion('a', { tenant: 't2' })).toBe(0);
    });

    it('watch calls its listener after a commit, and not after unsubscribing', async () => {
      const { ledger } = driver.current;
      let calls = 0;
      const unwatch = ledger.watch(() => {
        calls++;
      });
      await ledger.append('a', accountEvents(2));
      await eventually(() => calls > 0);
      unwatch();
      const before = calls;
      await ledger.append('a', accountEvents(1));
      await sleep(options.quietMs);
      expect(calls).toBe(before);
    });
  });
}
