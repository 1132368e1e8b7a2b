/**
 * What a transport that stores envelopes (JetStream) promises a queue group: it gets what was
 * published to its topic before it first listened, and what was published while it was away,
 * each once and in order. Run when the suite is told `stores: true`.
 */
import { describe, expect, it } from 'vitest';
import { range } from '../helpers.ts';
import type { TransportContext } from './context.ts';
import { live, publishNumbers, quiet, recorder, topicRoot, until } from './kit.ts';

/** Registers the tests of a storing transport's groups. */
export function durabilitySuite({ transport, factory, options }: TransportContext): void {
  if (!options.stores) return;
  describe('a group of a transport that stores', () => {
    it('gets what was published to its topic before it first listened, in order', async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.before`;
      await publishNumbers(t, topic, 1, 4);
      const inbox = recorder();
      await live(t, options, topic, inbox.handler, { queue: 'late-group' });
      await publishNumbers(t, topic, 5, 6);
      await until(
        options,
        () => inbox.received.length === 6,
        () => `6 envelopes, got ${inbox.numbers()}`,
      );
      await quiet(options);
      expect(inbox.numbers()).toEqual(range(1, 6));
    });

    it('gets what was published while it was away, once, after it comes back', async () => {
      const topic = `${topicRoot()}.away`;
      const first = recorder();
      const publisher = transport.current;
      const sub = await live(publisher, options, topic, first.handler, { queue: 'away-group' });
      await publishNumbers(publisher, topic, 1, 2);
      await until(
        options,
        () => first.received.length === 2,
        () => `2 envelopes, got ${first.numbers()}`,
      );
      await sub.close();
      await publishNumbers(publisher, topic, 3, 5);
      const again = await factory();
      try {
        const second = recorder();
        await live(again, options, topic, second.handler, { queue: 'away-group' });
        await until(
          options,
          () => second.received.length === 3,
          () => `3 envelopes, got ${second.numbers()}`,
        );
        await quiet(options);
        expect(second.numbers()).toEqual([3, 4, 5]);
      } finally {
        await again.close?.();
      }
    });
  });
}
