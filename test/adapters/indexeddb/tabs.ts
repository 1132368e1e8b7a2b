/** Two connections to one database, as two tabs: races, subscriptions, missed notices. */
import { describe, expect, it } from 'vitest';
import {
  accountEvent,
  accountEvents,
  caught,
  eventually,
  range,
  sleep,
} from '../../../js/conformance/helpers.ts';
import { subscribe } from '../../../js/runtime/subscription.ts';
import { isConcurrencyError } from '../../../js/util/errors.ts';
import type { IndexedDbContext } from './context.ts';

export function tabsSuite({ label, env, open }: IndexedDbContext): void {
  describe(`${label}: two connections, as two tabs`, () => {
    it('racing on one stream with one expected version, exactly one wins each round', async () => {
      const name = env.freshName();
      const [a, b] = [await open(name), await open(name)];
      try {
        const winners: string[] = [];
        for (let round = 0; round < 6; round++) {
          const results = await Promise.allSettled(
            [a, b, a, b].map((d, i) =>
              d.ledger.append('shared', [accountEvent('Raced', { metadata: { racer: i } })], {
                expectedVersion: round,
              }),
            ),
          );
          const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
          expect(won).toHaveLength(1);
          for (const r of results) {
            if (r.status === 'rejected') expect(isConcurrencyError(r.reason)).toBe(true);
          }
          winners.push(String(won[0]));
        }
        const events = await b.ledger.readStream('shared');
        expect(events.map((e) => e.version)).toEqual(range(1, 6));
        expect(events.map((e) => String(e.metadata?.racer))).toEqual(winners);
        expect((await a.ledger.readAll()).map((e) => e.position)).toEqual(range(1, 6));
      } finally {
        a.close();
        b.close();
      }
    });

    it('a subscription on one sees every event the other writes, once each and in order', async () => {
      const name = env.freshName();
      const [writer, reader] = [await open(name), await open(name)];
      const seen: number[] = [];
      const sub = subscribe(
        reader.ledger,
        (event) => {
          seen.push(event.position);
        },
        { batchSize: 5 },
      );
      try {
        for (let round = 0; round < 20; round++) {
          await writer.ledger.append(`w${round % 3}`, accountEvents((round % 4) + 1));
          // the reader writes too, but the last events are all the writer's
          if (round % 5 === 2) await reader.ledger.append('r', accountEvents(1));
          if (round % 3 === 0) await sleep(0);
        }
        const head = await writer.ledger.headPosition();
        // woken by the other connection's notices: no polling is set up anywhere
        await eventually(() => seen.length >= head, 5_000);
        expect(seen).toEqual(range(1, head));
        await sleep(20);
        expect(seen).toEqual(range(1, head));
      } finally {
        await sub.stop();
        writer.close();
        reader.close();
      }
    });

    it("a connection that missed the other one's commits still appends at the true version", async () => {
      const name = env.freshName();
      const [deaf, other] = [await open(name, { broadcast: false }), await open(name)];
      try {
        await deaf.ledger.append('s', accountEvents(2)); // deaf saw version 2
        await other.ledger.append('s', accountEvents(1)); // 3, unheard by deaf
        expect(await deaf.ledger.append('s', accountEvents(1))).toMatchObject({
          version: 4,
          position: 4,
        });
        // deaf expects what it saw; the stream moved on: a conflict with the true version
        await other.ledger.append('s', accountEvents(1)); // 5
        const conflict = await caught(() =>
          deaf.ledger.append('s', accountEvents(1), { expectedVersion: 4 }),
        );
        expect(conflict).toMatchObject({ code: 'CONCURRENCY_CONFLICT', expected: 4, actual: 5 });
        await other.ledger.append('t', accountEvents(1));
        const exists = await caught(() =>
          deaf.ledger.append('t', accountEvents(1), { expectedVersion: 'no_stream' }),
        );
        expect(exists).toMatchObject({ code: 'CONCURRENCY_CONFLICT', actual: 1 });
        expect((await other.ledger.readAll()).map((e) => [e.streamId, e.version])).toEqual([
          ['s', 1],
          ['s', 2],
          ['s', 3],
          ['s', 4],
          ['s', 5],
          ['t', 1],
        ]);
      } finally {
        deaf.close();
        other.close();
      }
    });

    it('with broadcast off, the other connection is not woken by these commits', async () => {
      const name = env.freshName();
      const [quiet, other] = [await open(name, { broadcast: false }), await open(name)];
      let woken = 0;
      const unwatch = other.ledger.watch(() => {
        woken++;
      });
      try {
        await quiet.ledger.append('s', accountEvents(2));
        await sleep(30);
        expect(woken).toBe(0);
        expect(await other.ledger.headPosition()).toBe(2);
        await other.ledger.append('s', accountEvents(1));
        await eventually(() => woken > 0);
      } finally {
        unwatch();
        quiet.close();
        other.close();
      }
    });
  });
}
