/** Closing subscriptions and transports, and topics a transport must refuse. */
import { describe, expect, it } from 'vitest';
import { caught, range } from '../helpers.ts';
import type { TransportHandler } from '../whizbang.ts';
import { isWhizbangError } from '../whizbang.ts';
import type { TransportContext } from './context.ts';
import {
  gate,
  live,
  numbered,
  numberOf,
  publishNumbers,
  quiet,
  recorder,
  topicRoot,
  until,
} from './kit.ts';

const noop: TransportHandler = () => undefined;

/** The Whizbang error code of `error`, or what it was instead, so a failure shows it. */
function codeOf(error: unknown): string {
  return isWhizbangError(error) ? error.code : `not a WhizbangError: ${String(error)}`;
}

/** Registers the tests of closing and of refused topics. */
export function lifecycleSuite({ transport, options }: TransportContext): void {
  describe('close', () => {
    it('a closed subscription finishes the envelope in hand and gets nothing more', async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.closing`;
      const hold = gate();
      const started: number[] = [];
      const finished: number[] = [];
      const sub = await live(t, options, topic, async (envelope) => {
        started.push(numberOf(envelope));
        await hold.wait;
        finished.push(numberOf(envelope));
      });
      await publishNumbers(t, topic, 1, 3);
      await until(
        options,
        () => started.length === 1,
        () => 'the first envelope in hand',
      );
      // a transport may wait for the envelope in hand before `close` resolves
      const closing = sub.close();
      hold.open();
      await closing;
      await until(
        options,
        () => finished.length === 1,
        () => 'the envelope in hand to finish',
      );
      await publishNumbers(t, topic, 4, 5);
      await quiet(options);
      expect(started).toEqual([1]);
      expect(finished).toEqual([1]);
    });

    it('closing one subscription leaves the others; closing twice is harmless', async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.others`;
      const gone = recorder();
      const stays = recorder();
      const sub = await live(t, options, topic, gone.handler);
      await live(t, options, topic, stays.handler);
      await publishNumbers(t, topic, 1, 2);
      await until(
        options,
        () => gone.received.length === 2 && stays.received.length === 2,
        () => 'both',
      );
      await sub.close();
      await sub.close();
      await quiet(options);
      await publishNumbers(t, topic, 3, 6);
      await until(
        options,
        () => stays.received.length === 6,
        () => 'the rest',
      );
      await quiet(options);
      expect(gone.numbers()).toEqual([1, 2]);
      expect(stays.numbers()).toEqual(range(1, 6));
    });

    it('closing the transport ends every subscription; publish and subscribe then throw CLOSED', async () => {
      const t = transport.current;
      const root = topicRoot();
      const a = recorder();
      const b = recorder();
      await live(t, options, `${root}.a`, a.handler);
      await live(t, options, `${root}.>`, b.handler, { queue: 'g' });
      await t.publish(`${root}.a`, numbered(1));
      await until(
        options,
        () => a.received.length === 1 && b.received.length === 1,
        () => 'both',
      );
      expect(typeof t.close).toBe('function');
      await t.close?.();
      const publishError = await caught(() => t.publish(`${root}.a`, numbered(2)));
      expect(codeOf(publishError)).toBe('CLOSED');
      const subscribeError = await caught(() => t.subscribe(`${root}.a`, noop));
      expect(codeOf(subscribeError)).toBe('CLOSED');
      await t.close?.();
      await quiet(options);
      expect(a.numbers()).toEqual([1]);
      expect(b.numbers()).toEqual([1]);
    });

    it('closing the transport lets the envelope in hand finish', async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.drain`;
      const hold = gate();
      const finished: number[] = [];
      await live(t, options, topic, async (envelope) => {
        await hold.wait;
        finished.push(numberOf(envelope));
      });
      await publishNumbers(t, topic, 1, 3);
      await quiet(options);
      const closing = t.close?.();
      hold.open();
      await closing;
      await until(
        options,
        () => finished.length >= 1,
        () => 'the envelope in hand to finish',
      );
      await quiet(options);
      expect(finished).toEqual([1]);
    });
  });

  describe('topics', () => {
    const badForBoth = ['', 'a..b', '.a', 'a.', 'a b', 'a\tb', 'a.b\n', 'a.>.b', '>.a'];
    const badForPublish = ['a.*', 'a.>', '*', '>', 'a.*.b'];

    it.each(badForBoth)(
      'refuses %j for publish and subscribe with INVALID_ARGUMENT',
      async (topic) => {
        const t = transport.current;
        const p = await caught(() => t.publish(topic, numbered(1)));
        expect(codeOf(p)).toBe('INVALID_ARGUMENT');
        const s = await caught(() => t.subscribe(topic, noop));
        expect(codeOf(s)).toBe('INVALID_ARGUMENT');
      },
    );

    it('refuses wildcards in a published topic, and accepts them in a subscription', async () => {
      const t = transport.current;
      for (const topic of badForPublish) {
        const error = await caught(() => t.publish(topic, numbered(1)));
        expect([topic, codeOf(error)]).toEqual([topic, 'INVALID_ARGUMENT']);
      }
      const root = topicRoot();
      for (const topic of ['*', '>', `${root}.*`, `${root}.>`, `${root}.*.*.>`]) {
        const sub = await t.subscribe(topic, noop);
        await sub.close();
      }
    });
  });
}
