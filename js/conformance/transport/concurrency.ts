/** Many topics and publishers at once, and random workloads with random failures. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { range } from '../helpers.ts';
import type { TransportContext } from './context.ts';
import { withTransport } from './context.ts';
import {
  byTopic,
  live,
  numbered,
  numberOf,
  publishNumbers,
  quiet,
  recorder,
  topicRoot,
  until,
} from './kit.ts';

/** Registers the concurrency and random-workload tests. */
export function concurrencySuite({ transport, factory, options }: TransportContext): void {
  describe('concurrency', () => {
    it('keeps per-topic order across many topics published concurrently', async () => {
      const t = transport.current;
      const root = topicRoot();
      const topics = range(1, 16).map((i) => `${root}.t${i}`);
      const perTopic = 30;
      const own = topics.map(() => recorder());
      const everything = recorder();
      const group = [recorder(), recorder(), recorder()];
      for (const [i, topic] of topics.entries()) await live(t, options, topic, own[i]!.handler);
      await live(t, options, `${root}.>`, everything.handler);
      for (const g of group) await live(t, options, `${root}.*`, g.handler, { queue: 'pool' });
      await Promise.all(topics.map((topic) => publishNumbers(t, topic, 1, perTopic)));
      const all = topics.length * perTopic;
      const groupTotal = (): number => group.reduce((n, g) => n + g.received.length, 0);
      await until(
        options,
        () =>
          own.every((o) => o.received.length === perTopic) &&
          everything.received.length === all &&
          groupTotal() === all,
        () =>
          `every topic complete; wildcard ${everything.received.length}/${all}, group ${groupTotal()}/${all}`,
      );
      await quiet(options);
      for (const [i, topic] of topics.entries()) {
        expect(own[i]!.numbers()).toEqual(range(1, perTopic));
        expect(own[i]!.received.every((r) => r.topic === topic)).toBe(true);
      }
      const seen = byTopic(everything.received);
      for (const topic of topics) expect(seen.get(topic)).toEqual(range(1, perTopic));
      const shared = group.flatMap((g) =>
        g.received.map((r) => `${r.topic}#${numberOf(r.envelope)}`),
      );
      expect(new Set(shared).size).toBe(all);
      expect(shared).toHaveLength(all);
    });

    it('property: any mix of topics and failures arrives complete and in order per topic', async () => {
      const step = fc.record({
        topic: fc.nat(3),
        failures: fc.oneof(
          { arbitrary: fc.constant(0), weight: 4 },
          { arbitrary: fc.integer({ min: 1, max: 2 }), weight: 1 },
        ),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(step, { minLength: 1, maxLength: 30 }),
          fc.boolean(),
          (plan, concurrent) =>
            withTransport(factory, async (t) => {
              const root = topicRoot();
              const failed = new Map<number, number>();
              const plain = recorder((envelope) => {
                const n = numberOf(envelope);
                const count = failed.get(n) ?? 0;
                if (count < plan[n]!.failures) {
                  failed.set(n, count + 1);
                  throw new Error(`planned failure ${count + 1} of ${n}`);
                }
              });
              const pool = [recorder(), recorder()];
              await live(t, options, `${root}.*`, plain.handler);
              for (const p of pool)
                await live(t, options, `${root}.>`, p.handler, { queue: 'pool' });
              const publishes = plan.map(
                (s, n) => () => t.publish(`${root}.t${s.topic}`, numbered(n)),
              );
              if (concurrent) await Promise.all(publishes.map((p) => p()));
              else for (const p of publishes) await p();
              const poolTotal = (): number => pool[0]!.received.length + pool[1]!.received.length;
              await until(
                options,
                () => plain.received.length === plan.length && poolTotal() === plan.length,
                () => `${plan.length} envelopes, got ${plain.received.length} and ${poolTotal()}`,
              );
              const expected = new Map<string, number[]>();
              for (const [n, s] of plan.entries()) {
                const topic = `${root}.t${s.topic}`;
                expected.set(topic, [...(expected.get(topic) ?? []), n]);
              }
              expect(byTopic(plain.received)).toEqual(expected);
              const shared = pool.flatMap((p) => p.numbers()).sort((a, b) => a - b);
              expect(shared).toEqual(range(0, plan.length - 1));
            }),
        ),
        // every failing run waits out `timeoutMs`, so report the first counterexample unshrunk
        { numRuns: options.numRuns, endOnFailure: true },
      );
    });
  });
}
