/** At-least-once delivery and back-pressure. */
import { describe, expect, it } from 'vitest';
import { host, range, sleep } from '../helpers.ts';
import type { WireEnvelope } from '../whizbang.ts';
import type { TransportContext } from './context.ts';
import {
  live,
  numbered,
  numberOf,
  publishNumbers,
  quiet,
  recorder,
  topicRoot,
  until,
} from './kit.ts';

/** Registers the redelivery and back-pressure tests. */
export function reliabilitySuite({ transport, options }: TransportContext): void {
  describe('at least once', () => {
    it('redelivers to a handler that fails twice, losing and reordering nothing', async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.flaky`;
      const tries = new Map<number, WireEnvelope[]>();
      const inbox = recorder((envelope) => {
        const n = numberOf(envelope);
        const list = tries.get(n) ?? [];
        list.push(envelope);
        tries.set(n, list);
        if (n === 3 && list.length === 1) throw new Error('first try of 3 throws');
        if (n === 3 && list.length === 2)
          return Promise.reject(new Error('second try of 3 rejects'));
        if (n === 7 && list.length === 1)
          return Promise.reject(new Error('first try of 7 rejects'));
        return undefined;
      });
      await live(t, options, topic, inbox.handler);
      const sent = range(1, 10).map((n) => numbered(n));
      for (const envelope of sent) await t.publish(topic, envelope);
      await until(
        options,
        () => inbox.received.length === 10,
        () => `10 envelopes, got ${inbox.numbers()}`,
      );
      await quiet(options);
      expect(inbox.numbers()).toEqual(range(1, 10));
      expect(tries.get(3)).toEqual([sent[2], sent[2], sent[2]]);
      expect(tries.get(7)).toEqual([sent[6], sent[6]]);
      for (const n of [1, 2, 4, 5, 6, 8, 9, 10]) expect(tries.get(n)).toHaveLength(1);
    });

    it('redelivers the envelope as published, even when the failed handler mutated its copy', async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.mutate`;
      const seen: unknown[] = [];
      await live(t, options, topic, (envelope) => {
        seen.push(host.structuredClone(envelope));
        if (seen.length === 1) {
          (envelope.message.data as Record<string, unknown>).n = 'tampered';
          throw new Error('fail once');
        }
      });
      const sent = numbered(1);
      await t.publish(topic, sent);
      await until(
        options,
        () => seen.length === 2,
        () => 'the redelivery',
      );
      expect(seen).toEqual([sent, sent]);
    });

    it('a failing subscriber does not hold back another subscriber or a group member', async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.isolated`;
      let failures = 0;
      const flaky = recorder(() => {
        if (failures++ < 2) throw new Error('not yet');
      });
      const steady = recorder();
      const member = recorder();
      await live(t, options, topic, flaky.handler);
      await live(t, options, topic, steady.handler);
      await live(t, options, topic, member.handler, { queue: 'g' });
      await publishNumbers(t, topic, 1, 5);
      await until(
        options,
        () =>
          flaky.received.length === 5 &&
          steady.received.length === 5 &&
          member.received.length === 5,
        () => 'all three to get five',
      );
      for (const inbox of [flaky, steady, member]) expect(inbox.numbers()).toEqual(range(1, 5));
    });
  });

  describe('back-pressure', () => {
    /**
     * Publishes `count` envelopes, awaiting each, to subscribers whose handlers yield a macrotask
     * per envelope; "in flight" is published (publish resolved) minus handled (handler settled).
     */
    async function slowRun(
      subscribers: number,
      queue?: string,
    ): Promise<{ most: number; seen: number[][] }> {
      const t = transport.current;
      const topic = `${topicRoot()}.slow`;
      const count = options.maxInFlight * 25;
      let published = 0;
      const handled = Array.from({ length: subscribers }, () => 0);
      const seen: number[][] = handled.map(() => []);
      let most = 0;
      const total = (): number => handled.reduce((a, b) => a + b, 0);
      // a group shares one bound per member
      const measure = (): void => {
        if (queue !== undefined) most = Math.max(most, published - total());
        else for (const h of handled) most = Math.max(most, published - h);
      };
      for (let s = 0; s < subscribers; s++) {
        const handler = async (envelope: WireEnvelope): Promise<void> => {
          measure();
          seen[s]!.push(numberOf(envelope));
          await sleep(0);
          handled[s]!++;
        };
        await live(t, options, topic, handler, queue === undefined ? {} : { queue });
      }
      for (let n = 1; n <= count; n++) {
        await t.publish(topic, numbered(n));
        published++;
        measure();
      }
      const expected = queue === undefined ? count * subscribers : count;
      await until(
        options,
        () => total() === expected,
        () => `${expected} handled, got ${total()}`,
      );
      return { most, seen };
    }

    const bounded = options.backPressure;
    const bound = (most: number, limit: number): void => {
      if (bounded) expect(most).toBeLessThanOrEqual(limit);
    };

    it(`${bounded ? 'never holds more than maxInFlight for' : 'gets everything to'} a slow subscriber, in order`, async () => {
      const { most, seen } = await slowRun(1);
      bound(most, options.maxInFlight);
      expect(seen[0]).toEqual(range(1, options.maxInFlight * 25));
    });

    it(`${bounded ? 'holds the bound for' : 'gets everything to'} each of several slow subscribers, in order`, async () => {
      const { most, seen } = await slowRun(3);
      bound(most, options.maxInFlight);
      for (const s of seen) expect(s).toEqual(range(1, options.maxInFlight * 25));
    });

    it('delivers everything to a slow queue group, each envelope once', async () => {
      const { most, seen } = await slowRun(2, 'slow');
      bound(most, options.maxInFlight * 2);
      expect(seen.flat().sort((a, b) => a - b)).toEqual(range(1, options.maxInFlight * 25));
    });
  });
}
