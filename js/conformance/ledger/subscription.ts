/** Subscriptions over the driver's ledger: catch up, then live, each event once and in order. */
import { describe, expect, it } from 'vitest';
import { accountEvent, accountEvents, caught, range, sleep, streamId } from '../helpers.ts';
import type { Ledger } from '../whizbang.ts';
import { isWhizbangError, type Subscription, subscribe, subscribeBatches } from '../whizbang.ts';
import type { LedgerContext } from './context.ts';

/** Waits until the subscription has delivered everything, even events appended while waiting. */
async function drain(ledger: Ledger, sub: Subscription): Promise<number> {
  for (;;) {
    const head = await ledger.headPosition();
    await sub.waitFor(head);
    if ((await ledger.headPosition()) === head) return head;
  }
}

/** A few microtasks or a macrotask, different each round, to vary the interleaving. */
async function jitter(round: number): Promise<void> {
  if (round % 3 === 2) return sleep(0);
  for (let i = 0; i < round; i++) await Promise.resolve();
}

/** Registers the subscription tests over the running test's ledger. */
export function subscriptionSuite({ driver, options }: LedgerContext): void {
  describe('subscriptions', () => {
    it('catches up, then goes live, with appends racing the switch in several rounds', async () => {
      const { ledger } = driver.current;
      for (let i = 0; i < 25; i++) await ledger.append(`s${i % 4}`, [accountEvent()]);
      const seen: number[] = [];
      let insideRounds = 0;
      const sub = subscribe(
        ledger,
        async (event) => {
          seen.push(event.position);
          // append from inside the handler while still catching up, in several rounds
          if (event.position % 9 === 0 && insideRounds < 4) {
            insideRounds++;
            await ledger.append('inside', accountEvents(2));
          }
        },
        { batchSize: 4 },
      );
      for (let round = 0; round < 12; round++) {
        await ledger.append(streamId(), accountEvents((round % 3) + 1));
        await jitter(round);
      }
      const head = await drain(ledger, sub);
      expect(insideRounds).toBe(4);
      expect(seen).toEqual(range(1, head));

      for (let round = 0; round < 6; round++) {
        await ledger.append(streamId(), accountEvents(round + 1));
        await jitter(round);
      }
      const live = await drain(ledger, sub);
      expect(live).toBeGreaterThan(head);
      expect(seen).toEqual(range(1, live));
      expect(sub.position).toBe(live);
      await sub.stop();
    });

    it('starts at `from`, also when `from` is ahead of the head', async () => {
      const { ledger } = driver.current;
      await ledger.append('a', accountEvents(10));
      const seen: number[] = [];
      const sub = subscribe(
        ledger,
        (e) => {
          seen.push(e.position);
        },
        { from: 6, batchSize: 3 },
      );
      await sub.waitFor(10);
      expect(seen).toEqual([6, 7, 8, 9, 10]);
      await ledger.append('a', accountEvents(1));
      await sub.waitFor(11);
      expect(seen).toEqual([6, 7, 8, 9, 10, 11]);
      await sub.stop();

      const ahead: number[] = [];
      const early = subscribe(
        ledger,
        (e) => {
          ahead.push(e.position);
        },
        { from: 14 },
      );
      await ledger.append('a', accountEvents(4));
      await early.waitFor(15);
      expect(ahead).toEqual([14, 15]);
      await early.stop();
    });

    it('delivers only the types and tenant asked for, in catch-up and live', async () => {
      const { ledger } = driver.current;
      const fill = async (): Promise<void> => {
        for (let i = 0; i < 6; i++) {
          await ledger.append('mixed', [accountEvent(i % 2 ? 'Deposited' : 'Withdrawn')], {
            tenant: i % 3 ? 'acme' : 'globex',
          });
        }
      };
      await fill();
      const byType: string[] = [];
      const byTenant: string[] = [];
      const types = subscribe(
        ledger,
        (e) => {
          byType.push(e.type);
        },
        { types: ['Deposited'], batchSize: 2 },
      );
      const tenant = subscribe(
        ledger,
        (e) => {
          byTenant.push(e.tenant);
        },
        { tenant: 'acme', batchSize: 2 },
      );
      await fill();
      const head = await ledger.headPosition();
      await Promise.all([types.waitFor(head), tenant.waitFor(head)]);
      expect(byType).toEqual((await ledger.readAll({ types: ['Deposited'] })).map((e) => e.type));
      expect(byType).toHaveLength(6);
      expect(byTenant).toEqual(Array.from({ length: 8 }, () => 'acme'));
      expect(types.position).toBe(head);
      await Promise.all([types.stop(), tenant.stop()]);
    });

    it('hands batches no larger than batchSize that cover every position once', async () => {
      const { ledger } = driver.current;
      await ledger.append('a', accountEvents(11, 'Wanted'));
      await ledger.append('b', accountEvents(5, 'Other'));
      const batches: { size: number; through: number }[] = [];
      const seen: number[] = [];
      const sub = subscribeBatches(
        ledger,
        (events, through) => {
          batches.push({ size: events.length, through });
          for (const e of events) seen.push(e.position);
        },
        { batchSize: 4, types: ['Wanted'] },
      );
      await sub.waitFor(16);
      expect(seen).toEqual(range(1, 11));
      for (const batch of batches) expect(batch.size).toBeLessThanOrEqual(4);
      const throughs = batches.map((b) => b.through);
      expect(throughs).toEqual([...throughs].sort((x, y) => x - y));
      expect(throughs[throughs.length - 1]).toBe(16);
      await sub.stop();
    });

    it('waitFor resolves once a position is delivered; waitFor() means the head now', async () => {
      const { ledger } = driver.current;
      await ledger.append('a', accountEvents(5));
      const seen: number[] = [];
      const sub = subscribe(
        ledger,
        async (e) => {
          await sleep(0);
          seen.push(e.position);
        },
        { batchSize: 2 },
      );
      await sub.waitFor(3);
      expect(seen.slice(0, 3)).toEqual([1, 2, 3]);
      expect(sub.position).toBeGreaterThanOrEqual(3);
      await sub.waitFor();
      expect(seen).toEqual(range(1, 5));
      const pending = sub.waitFor(7);
      await ledger.append('a', accountEvents(2));
      await pending;
      expect(seen).toEqual(range(1, 7));
      await sub.stop();
    });

    it('stop ends delivery, resolves done, and refuses later waits', async () => {
      const { ledger } = driver.current;
      await ledger.append('a', accountEvents(3));
      const seen: number[] = [];
      const sub = subscribe(ledger, (e) => {
        seen.push(e.position);
      });
      await sub.waitFor(3);
      await sub.stop();
      await sub.done;
      await ledger.append('a', accountEvents(2));
      await sleep(options.quietMs);
      expect(seen).toEqual([1, 2, 3]);
      expect(isWhizbangError(await caught(() => sub.waitFor(5)), 'CLOSED')).toBe(true);
      await sub.stop();
    });

    it('a throwing handler rejects done, reports through onError and stops', async () => {
      const { ledger } = driver.current;
      await ledger.append('a', accountEvents(5));
      const boom = new Error('handler failed');
      const seen: number[] = [];
      const reported: unknown[] = [];
      const sub = subscribe(
        ledger,
        (e) => {
          seen.push(e.position);
          if (e.position === 3) throw boom;
        },
        { onError: (error) => reported.push(error), batchSize: 2 },
      );
      expect(await caught(() => sub.done)).toBe(boom);
      expect(reported).toEqual([boom]);
      await ledger.append('a', accountEvents(2));
      await sleep(options.quietMs);
      expect(seen).toEqual([1, 2, 3]);
      expect(await caught(() => sub.waitFor(7))).toBe(boom);
    });
  });
}
