/**
 * The core NATS transport's `traceparent` header: each message carries its own envelope's
 * traceparent (the publisher keeps the last one's header encoded, so a repeat must not leak into
 * the next envelope), none when the envelope has none; and a subscription on an exact topic or a
 * wildcard hands the handler the concrete topic.
 */
import type { Msg } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { natsTransport } from '../../adapters/nats/node.ts';
import type { WireEnvelope } from '../../js/mod.ts';
import { NATS_URL, natsReachable } from '../support/services.ts';

const up = await natsReachable('NATS transport headers');
const run = `benchfix_${process.pid}_${Date.now().toString(36)}`;

const trace = (n: number): string =>
  `00-0af7651916cd43dd8448eb211c80319c-${String(n).padStart(16, '0')}-01`;

// without a traceparent: what the type requires, but the transport must carry anyway
function envelope(n: number, traceparent: string | undefined): WireEnvelope {
  return {
    message: { kind: 'event', type: 'Deposited', data: { n } },
    messageId: `m-${n}`,
    correlationId: 'c',
    causationId: 'c',
    tenant: 'default',
    timestamp: 1_700_000_000_000,
    ...(traceparent === undefined ? {} : { traceparent }),
    hops: [],
  } as unknown as WireEnvelope;
}

describe.skipIf(!up)('NATS transport headers', () => {
  it('carries each envelope its own traceparent header, repeated or not, and none without one', async () => {
    const transport = await natsTransport({ servers: NATS_URL });
    const raw = await connect({ servers: NATS_URL });
    const seen: Array<{ subject: string; traceparent: string | undefined }> = [];
    raw.subscribe(`${run}.>`, {
      callback: (_e, m: Msg) => {
        seen.push({ subject: m.subject, traceparent: m.headers?.get('traceparent') || undefined });
      },
    });
    await raw.flush();
    try {
      const sent: Array<{ subject: string; traceparent: string | undefined }> = [];
      const send = (topic: string, n: number, traceparent: string | undefined): void => {
        transport.publish(`${run}.${topic}`, envelope(n, traceparent));
        sent.push({ subject: `${run}.${topic}`, traceparent: traceparent || undefined });
      };
      send('a', 1, trace(1));
      send('b', 1, trace(1)); // the same envelope's trace to a second topic
      send('a', 2, trace(1));
      send('a', 3, trace(2));
      send('a', 4, undefined);
      send('a', 5, trace(2));
      send('a', 6, '');
      send('a', 7, trace(3));
      await transport.flush();
      await raw.flush();
      await expect.poll(() => seen.length).toBe(sent.length);
      const byTopic = (xs: typeof sent, subject: string) => xs.filter((x) => x.subject === subject);
      expect(byTopic(seen, `${run}.a`)).toEqual(byTopic(sent, `${run}.a`));
      expect(byTopic(seen, `${run}.b`)).toEqual(byTopic(sent, `${run}.b`));
    } finally {
      await transport.close();
      await raw.close();
    }
  });

  it('hands the concrete topic to exact and wildcard subscriptions, async handlers in order', async () => {
    const pub = await natsTransport({ servers: NATS_URL });
    const sub = await natsTransport({ servers: NATS_URL });
    const exact: Array<[string, unknown]> = [];
    const wild: Array<[string, unknown]> = [];
    try {
      await sub.subscribe(`${run}.x.one`, async (e, topic) => {
        // every other handler is async: what arrives meanwhile waits its turn
        if ((e.message.data as { n: number }).n % 2 === 0)
          await new Promise((r) => setTimeout(r, 2));
        exact.push([topic, (e.message.data as { n: number }).n]);
      });
      await sub.subscribe(`${run}.x.*`, (e, topic) => {
        wild.push([topic, (e.message.data as { n: number }).n]);
      });
      for (let n = 0; n < 20; n++)
        pub.publish(`${run}.x.${n % 4 === 3 ? 'two' : 'one'}`, envelope(n, trace(n)));
      await pub.flush();
      const ones = Array.from({ length: 20 }, (_, n) => n).filter((n) => n % 4 !== 3);
      await expect.poll(() => exact.length).toBe(ones.length);
      await expect.poll(() => wild.length).toBe(20);
      expect(exact).toEqual(ones.map((n) => [`${run}.x.one`, n]));
      expect(wild).toEqual(
        Array.from({ length: 20 }, (_, n) => [`${run}.x.${n % 4 === 3 ? 'two' : 'one'}`, n]),
      );
    } finally {
      await pub.close();
      await sub.close();
    }
  });
});
