/** Wildcards: `*` matches exactly one token, `>` one or more at the end. */
import { describe, expect, it } from 'vitest';
import type { TransportContext } from './context.ts';
import { live, numbered, quiet, recorder, topicRoot, until } from './kit.ts';

/** Registers the wildcard tests. */
export function wildcardSuite({ transport, options }: TransportContext): void {
  /** Subscribes to `pattern`, publishes to each topic, and returns the topics that arrived. */
  async function delivered(
    pattern: string,
    topics: readonly string[],
    expected: number,
  ): Promise<string[]> {
    const t = transport.current;
    const inbox = recorder();
    await live(t, options, pattern, inbox.handler);
    for (const [n, topic] of topics.entries()) await t.publish(topic, numbered(n));
    await until(
      options,
      () => inbox.received.length >= expected,
      () => `${expected} envelopes on "${pattern}"`,
    );
    await quiet(options);
    return inbox.received.map((r) => r.topic);
  }

  describe('wildcards', () => {
    it('`*` matches exactly one token', async () => {
      const r = topicRoot();
      const topics = [
        `${r}.orders.a`,
        `${r}.orders`,
        `${r}.orders.a.b`,
        `${r}.other.a`,
        `${r}.orders.b`,
      ];
      expect(await delivered(`${r}.orders.*`, topics, 2)).toEqual([
        `${r}.orders.a`,
        `${r}.orders.b`,
      ]);
    });

    it('`*` matches in the middle of a topic, and several `*` match several tokens', async () => {
      const r = topicRoot();
      const topics = [`${r}.a.created`, `${r}.a.b.created`, `${r}.a.deleted`, `${r}.b.created`];
      expect(await delivered(`${r}.*.created`, topics, 2)).toEqual([
        `${r}.a.created`,
        `${r}.b.created`,
      ]);
      const more = [`${r}.x.y.z`, `${r}.x.y`, `${r}.x.y.z.w`, `${r}.p.q.r`];
      expect(await delivered(`${r}.*.*.*`, more, 2)).toEqual([`${r}.x.y.z`, `${r}.p.q.r`]);
    });

    it('`>` matches one or more tokens at the end, never none', async () => {
      const r = topicRoot();
      const topics = [`${r}.orders.a`, `${r}.orders`, `${r}.orders.a.b.c`, `${r}.ordersx.a`];
      expect(await delivered(`${r}.orders.>`, topics, 2)).toEqual([
        `${r}.orders.a`,
        `${r}.orders.a.b.c`,
      ]);
    });

    it('`*` and `>` combine', async () => {
      const r = topicRoot();
      const topics = [
        `${r}.eu.orders.a`,
        `${r}.eu.orders`,
        `${r}.us.orders.a.b`,
        `${r}.eu.users.a`,
      ];
      expect(await delivered(`${r}.*.orders.>`, topics, 2)).toEqual([
        `${r}.eu.orders.a`,
        `${r}.us.orders.a.b`,
      ]);
    });

    it('overlapping subscriptions each get their copy, with the concrete topic', async () => {
      const t = transport.current;
      const r = topicRoot();
      const exact = recorder();
      const star = recorder();
      const rest = recorder();
      await live(t, options, `${r}.orders.placed`, exact.handler);
      await live(t, options, `${r}.orders.*`, star.handler);
      await live(t, options, `${r}.>`, rest.handler);
      await t.publish(`${r}.orders.placed`, numbered(1));
      await t.publish(`${r}.orders.shipped`, numbered(2));
      await t.publish(`${r}.users.x.y`, numbered(3));
      await until(
        options,
        () => exact.received.length + star.received.length + rest.received.length >= 6,
        () => 'six deliveries',
      );
      await quiet(options);
      expect(exact.received.map((x) => x.topic)).toEqual([`${r}.orders.placed`]);
      expect(star.numbers()).toEqual([1, 2]);
      expect(rest.received.map((x) => x.topic)).toEqual([
        `${r}.orders.placed`,
        `${r}.orders.shipped`,
        `${r}.users.x.y`,
      ]);
    });

    it('a queue group on a wildcard shares out envelopes of many topics', async () => {
      const t = transport.current;
      const r = topicRoot();
      const members = [recorder(), recorder()];
      for (const m of members) await live(t, options, `${r}.jobs.>`, m.handler, { queue: 'w' });
      for (let n = 0; n < 20; n++) await t.publish(`${r}.jobs.${n % 4}.run`, numbered(n));
      const count = (): number => members[0]!.received.length + members[1]!.received.length;
      await until(
        options,
        () => count() >= 20,
        () => `20 envelopes, got ${count()}`,
      );
      await quiet(options);
      const all = members.flatMap((m) => m.numbers()).sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 20 }, (_, i) => i));
    });
  });
}
