/** Round trips, order per topic, fan-out, topic isolation, independent copies and odd payloads. */
import { describe, expect, it } from 'vitest';
import { host, ODD_STRINGS, range } from '../helpers.ts';
import type { WireEnvelope } from '../whizbang.ts';
import type { TransportContext } from './context.ts';
import {
  live,
  numbered,
  publishNumbers,
  quiet,
  recorder,
  topicRoot,
  until,
  wireEnvelope,
} from './kit.ts';

/** A value nested `depth` levels deep, in objects and arrays by turns. */
function nested(depth: number): unknown {
  let value: unknown = { leaf: 'bottom', n: depth };
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { level: i, child: value } : [i, value];
  return value;
}

/** Registers the delivery tests. */
export function deliverySuite({ transport, options }: TransportContext): void {
  describe('delivery', () => {
    it('delivers a full envelope, deep equal, with the topic it was published to', async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.accounts.deposited`;
      const inbox = recorder();
      await live(t, options, topic, inbox.handler);
      const sent = wireEnvelope();
      await t.publish(topic, sent);
      await until(
        options,
        () => inbox.received.length === 1,
        () => 'the envelope to arrive',
      );
      expect(inbox.received[0]).toEqual({ envelope: sent, topic });
      await quiet(options);
      expect(inbox.received).toHaveLength(1);
    });

    it('delivers an envelope without its optional fields', async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.bare`;
      const inbox = recorder();
      await live(t, options, topic, inbox.handler);
      const { streamId: _s, version: _v, position: _p, ...sent } = wireEnvelope(null);
      const bare: WireEnvelope = { ...sent, hops: [] };
      await t.publish(topic, bare);
      await until(
        options,
        () => inbox.received.length === 1,
        () => 'the envelope to arrive',
      );
      expect(inbox.received[0]?.envelope).toEqual(bare);
      expect(inbox.received[0]?.envelope.message.data).toBeNull();
      for (const key of ['streamId', 'version', 'position']) {
        expect(key in inbox.received[0]!.envelope).toBe(false);
      }
    });

    it("delivers one topic's envelopes in publish order, one at a time", async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.ordered`;
      let active = 0;
      let most = 0;
      const inbox = recorder(async (envelope) => {
        active++;
        most = Math.max(most, active);
        // take varying time, so a transport that overlaps deliveries shows it
        const n = (envelope.message.data as { n: number }).n;
        for (let i = 0; i < n % 4; i++) await Promise.resolve();
        if (n % 7 === 0) await new Promise<void>((resolve) => host.setTimeout(resolve, 0));
        active--;
      });
      await live(t, options, topic, inbox.handler);
      await publishNumbers(t, topic, 1, 150);
      await until(
        options,
        () => inbox.received.length === 150,
        () => `150 envelopes, got ${inbox.received.length}`,
      );
      expect(inbox.numbers()).toEqual(range(1, 150));
      expect(most).toBe(1);
    });

    it('keeps call order when publishes are not awaited one by one', async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.burst`;
      const inbox = recorder();
      await live(t, options, topic, inbox.handler);
      const count = options.maxInFlight * 6;
      await Promise.all(range(1, count).map((n) => t.publish(topic, numbered(n))));
      await until(
        options,
        () => inbox.received.length === count,
        () => `${count} envelopes, got ${inbox.received.length}`,
      );
      expect(inbox.numbers()).toEqual(range(1, count));
    });

    it('gives every plain subscriber every envelope, each in order', async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.fanout`;
      const inboxes = [recorder(), recorder(), recorder()];
      for (const inbox of inboxes) await live(t, options, topic, inbox.handler);
      await publishNumbers(t, topic, 1, 40);
      await until(
        options,
        () => inboxes.every((i) => i.received.length === 40),
        () => `40 envelopes each, got ${inboxes.map((i) => i.received.length).join(', ')}`,
      );
      for (const inbox of inboxes) expect(inbox.numbers()).toEqual(range(1, 40));
    });

    it('subscribing the same handler twice delivers twice', async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.twice`;
      const inbox = recorder();
      await live(t, options, topic, inbox.handler);
      await live(t, options, topic, inbox.handler);
      await t.publish(topic, numbered(1));
      await until(
        options,
        () => inbox.received.length === 2,
        () => 'two deliveries',
      );
      await quiet(options);
      expect(inbox.numbers()).toEqual([1, 1]);
    });

    it('does not deliver envelopes of other topics', async () => {
      const t = transport.current;
      const root = topicRoot();
      const inbox = recorder();
      await live(t, options, `${root}.a`, inbox.handler);
      for (const other of [
        `${root}.b`,
        `${root}.a.x`,
        root,
        `${root}.A`,
        `${root}.aa`,
        `x.${root}.a`,
      ]) {
        await t.publish(other, numbered(0));
      }
      await t.publish(`${root}.a`, numbered(1));
      await until(
        options,
        () => inbox.received.length >= 1,
        () => 'the envelope of its own topic',
      );
      await quiet(options);
      expect(inbox.numbers()).toEqual([1]);
    });

    it('accepts topics with unicode, digits, dashes and underscores', async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.ünï-cödé_9.漢字.42`;
      const inbox = recorder();
      await live(t, options, topic, inbox.handler);
      await t.publish(topic, numbered(7));
      await until(
        options,
        () => inbox.received.length === 1,
        () => 'the envelope to arrive',
      );
      expect(inbox.received[0]?.topic).toBe(topic);
    });

    it('gives each subscriber its own copy: mutations by one, or by the publisher, do not leak', async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.copies`;
      const seen: unknown[] = [];
      const vandal = async (envelope: WireEnvelope): Promise<void> => {
        seen.push(host.structuredClone(envelope));
        const loose = envelope as unknown as {
          message: { data: Record<string, unknown> };
          hops: unknown[];
        };
        loose.message.data.amount = -1;
        loose.hops.length = 0;
      };
      await live(t, options, topic, vandal);
      await live(t, options, topic, vandal);
      const sent = wireEnvelope();
      const original = host.structuredClone(sent);
      await t.publish(topic, sent);
      (sent as unknown as { message: { data: Record<string, unknown> } }).message.data.amount = -2;
      await until(
        options,
        () => seen.length === 2,
        () => 'both copies to arrive',
      );
      expect(seen).toEqual([original, original]);
    });

    it('carries odd payloads: unicode, control characters, 100 kB, deep nesting, numbers', async () => {
      const t = transport.current;
      const topic = `${topicRoot()}.odd`;
      const inbox = recorder();
      await live(t, options, topic, inbox.handler);
      const payloads: unknown[] = [
        { strings: ODD_STRINGS },
        { big: 'z'.repeat(100 * 1024), also: '🧪'.repeat(2_000) },
        nested(40),
        { n: [0, 1, -1, 0.1, 1e-7, 1e21, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER] },
        { empty: {}, none: [], nil: null, yes: true, no: false, blank: '' },
        { 'ключ with spaces': 1, 'dotted.key': 2, '': 3, '🔑': [{ a: [[], [{}]] }] },
        'just a string',
        [1, 'two', { three: 3 }],
        0,
      ];
      const sent = payloads.map((data) => wireEnvelope(data));
      for (const envelope of sent) await t.publish(topic, envelope);
      await until(
        options,
        () => inbox.received.length === sent.length,
        () => `${sent.length} envelopes, got ${inbox.received.length}`,
      );
      expect(inbox.received.map((r) => r.envelope)).toEqual(sent);
    });
  });
}
