/**
 * What the NATS adapter promises when things go wrong: a server restart under a running publisher
 * and durable subscriber loses nothing and applies nothing twice; messages that are not envelopes
 * go to the dead-letter subject with a typed error while the consumer keeps going; bad credentials
 * fail with AUTHENTICATION_FAILED.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { type DeadLetter, jetstreamLedger, natsTransport } from '../../adapters/nats/node.ts';
import { caught, range, sleep } from '../../js/conformance/helpers.ts';
import { numbered, numberOf } from '../../js/conformance/transport/kit.ts';
import { isWhizbangError } from '../../js/util/errors.ts';
import { natsServerInstalled, startNatsServer } from '../support/nats-server.ts';
import { expectEachOrderOnce, publishOrders } from '../support/orders-outage.ts';
import { NATS_URL, natsReachable, reachable } from '../support/services.ts';
import {
  alwaysFailing,
  LAST_REASONS,
  notEnvelopes,
  reasonOf,
} from '../support/transport-failures.ts';

const up = await natsReachable('NATS reliability');
const installed = await reachable(
  'nats-server binary (NATS reliability)',
  async () => {
    if (!natsServerInstalled()) throw new Error('no nats-server binary');
  },
  'Install nats-server (apt-get install nats-server) or set NATS_SERVER_BIN.',
);
const run = `${process.pid}_${Date.now().toString(36)}`;
const streams: string[] = [];

afterAll(async () => {
  if (!up) return;
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  for (const s of streams) await jsm.streams.delete(s).catch(() => undefined);
  await nc.close();
});

async function until(check: () => boolean, what: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out: ${what()}`);
    await sleep(5);
  }
}

describe.skipIf(!installed)('NATS server restart', () => {
  it('a publisher and a durable subscriber ride out a kill -9 of the server: nothing lost, nothing applied twice', async () => {
    const server = await startNatsServer();
    const reconnect = { initialMs: 20, maxMs: 200 };
    const jetstream = { stream: 'RESTART', ackWaitMs: 1_000, maxAckPending: 32 };
    const publisher = await natsTransport({ servers: server.url, reconnect, jetstream });
    const subscriber = await natsTransport({
      servers: server.url,
      reconnect,
      jetstream,
      redelivery: { attempts: 1_000, backoffMs: 10 },
    });
    try {
      const total = 400;
      const run = await publishOrders(publisher, subscriber, total, 20);
      await until(
        () => run.applied.size >= total / 4,
        () => `a quarter applied, got ${run.applied.size}`,
      );
      await server.kill('SIGKILL');
      await sleep(300);
      await server.start();
      await run.published;
      await until(
        () => run.applied.size === total,
        () => `${total} applied, got ${run.applied.size}`,
      );
      await sleep(200);
      expectEachOrderOnce(run, total);
      // the server really went away under the publisher, and its retries were stored once each
      expect(run.retries).toBeGreaterThan(0);
      const jsm = await jetstreamManager(publisher.connection as NatsConnection);
      expect((await jsm.streams.info('RESTART')).state.messages).toBe(total);
    } finally {
      await publisher.close();
      await subscriber.close();
      await server.dispose();
    }
  }, 60_000);
});

describe.skipIf(!up)('malformed messages', () => {
  for (const mode of ['core', 'jetstream'] as const) {
    it(`${mode}: random bytes and wrong shapes are dead-lettered with MALFORMED_MESSAGE; the consumer keeps going`, async () => {
      const prefix = `wbm_${mode}_${run}`;
      const stream = `WB_MALFORMED_${run}`;
      if (mode === 'jetstream') streams.push(stream);
      const letters: DeadLetter[] = [];
      const transport = await natsTransport({
        servers: NATS_URL,
        prefix,
        deadLetterSubject: `${prefix}_dlq`,
        onDeadLetter: (letter) => {
          letters.push(letter);
        },
        ...(mode === 'jetstream' ? { jetstream: { stream } } : {}),
      });
      const raw = await connect({ servers: NATS_URL });
      const js = (await import('@nats-io/jetstream')).jetstream(raw);
      try {
        const dlq: Array<{ subject: string; code: string | undefined; size: number }> = [];
        raw.subscribe(`${prefix}_dlq.>`, {
          callback: (_e, m) => {
            dlq.push({
              subject: m.subject,
              code: m.headers?.get('Whizbang-Error-Code'),
              size: m.data.length,
            });
          },
        });
        await raw.flush();
        const got: number[] = [];
        await transport.subscribe('jobs', (envelope) => {
          got.push(numberOf(envelope));
        });
        const junk = notEnvelopes();
        let n = 0;
        for (const bytes of junk) {
          await transport.publish('jobs', numbered(n++));
          if (mode === 'core') raw.publish(`${prefix}.jobs`, bytes, { headers: headers() });
          else await js.publish(`${prefix}.jobs`, bytes);
        }
        await transport.publish('jobs', numbered(n++));
        await until(
          () => got.length === n && letters.length === junk.length && dlq.length === junk.length,
          () =>
            `${n} envelopes and ${junk.length} dead letters, got ${got.length}, ${letters.length}, ${dlq.length}`,
        );
        expect(got).toEqual(range(0, n - 1));
        for (const letter of letters) {
          expect(isWhizbangError(letter.error, 'MALFORMED_MESSAGE')).toBe(true);
          expect(letter.envelope).toBeUndefined();
          expect(letter.topic).toBe('jobs');
        }
        // what was wrong with each binary one, from the format's own checks
        expect(letters.slice(-5).map((l) => reasonOf(l.error))).toEqual(LAST_REASONS);
        expect(letters.map((l) => [...l.data])).toEqual(junk.map((b) => [...b]));
        expect(dlq.map((d) => [d.subject, d.code])).toEqual(
          junk.map(() => [`${prefix}_dlq.jobs`, 'MALFORMED_MESSAGE']),
        );
        expect(dlq.map((d) => d.size)).toEqual(junk.map((b) => b.length));
      } finally {
        await transport.close();
        await raw.close();
      }
    });
  }

  it('jetstream: a handler that fails on every delivery is dead-lettered after the last attempt, acked, and the next envelope follows', async () => {
    const prefix = `wbf_${run}`;
    const stream = `WB_FAILING_${run}`;
    streams.push(stream);
    const letters: DeadLetter[] = [];
    const transport = await natsTransport({
      servers: NATS_URL,
      prefix,
      redelivery: { attempts: 3, backoffMs: 5 },
      onDeadLetter: (letter) => {
        letters.push(letter);
      },
      jetstream: { stream },
    });
    try {
      await alwaysFailing(transport, 'work', letters);
      const jsm = await jetstreamManager(transport.connection as NatsConnection);
      const consumers = await jsm.consumers.list(stream).next();
      expect(consumers.map((c) => c.num_ack_pending)).toEqual([0]);
    } finally {
      await transport.close();
    }
  });
});

describe.skipIf(!up)('JetStream deduplication', () => {
  it('an envelope published twice to one topic is stored once; to two topics, once on each', async () => {
    const prefix = `wbd_${run}`;
    const stream = `WB_DEDUPE_${run}`;
    streams.push(stream);
    const transport = await natsTransport({ servers: NATS_URL, prefix, jetstream: { stream } });
    try {
      const got: string[] = [];
      await transport.subscribe('orders.*', (_envelope, topic) => {
        got.push(topic);
      });
      const envelope = numbered(1);
      await transport.publish('orders.placed', envelope);
      await transport.publish('orders.placed', envelope); // a relay's retry
      await transport.publish('orders.audited', envelope);
      await transport.publish('orders.placed', numbered(2));
      await until(
        () => got.length >= 3,
        () => `three deliveries, got ${got}`,
      );
      await sleep(100);
      expect(got).toEqual(['orders.placed', 'orders.audited', 'orders.placed']);
      const jsm = await jetstreamManager(transport.connection as NatsConnection);
      expect((await jsm.streams.info(stream)).state.messages).toBe(3);
    } finally {
      await transport.close();
    }
  });
});

describe.skipIf(!installed)('credentials', () => {
  it('a wrong password fails with AUTHENTICATION_FAILED; the right one connects, and the ledger works', async () => {
    const server = await startNatsServer(
      'authorization { user: "whizbang", password: "s3cret-Pass" }',
    );
    try {
      for (const wrong of [{ user: 'whizbang', pass: 'nope' }, {}, { token: 'nope' }]) {
        const error = await caught(() =>
          natsTransport({ servers: server.url, reconnect: { attempts: 0 }, ...wrong }),
        );
        expect(isWhizbangError(error, 'AUTHENTICATION_FAILED')).toBe(true);
        expect((error as Error).message).toMatch(/refused the credentials.*Check user\/pass/);
      }
      const ledger = await jetstreamLedger({
        servers: [server.url],
        user: 'whizbang',
        pass: 's3cret-Pass',
      });
      const appended = await ledger.append('door', [{ type: 'Opened', data: { by: 'key' } }]);
      expect(appended.position).toBe(1);
      expect((await ledger.readStream('door')).map((e) => e.type)).toEqual(['Opened']);
      await ledger.close();
    } finally {
      await server.dispose();
    }
  });

  it('a server that is not there fails with UNAVAILABLE', async () => {
    const server = await startNatsServer();
    const url = server.url;
    await server.dispose();
    const error = await caught(() =>
      natsTransport({ servers: url, reconnect: { attempts: 0 }, options: { timeout: 1000 } }),
    );
    expect(isWhizbangError(error, 'UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/Cannot connect to NATS at nats:\/\/127\.0\.0\.1/);
  });
});
