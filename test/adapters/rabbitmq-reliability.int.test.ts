/**
 * What the RabbitMQ adapter promises when things go wrong, as the NATS adapter's tests specify it
 * for NATS: messages that are not envelopes go to the dead-letter exchange with a typed error while
 * the consumer keeps going; a handler that always fails is dead-lettered after its last attempt and
 * acked; wrong credentials fail with AUTHENTICATION_FAILED and a broker that is not there with
 * UNAVAILABLE. Besides: what the broker holds is readable with its own tools, a handler that
 * returns at once gets everything, and a queue declared otherwise before is a clear error.
 */
import { AMQPClient, type AMQPMessage } from '@cloudamqp/amqp-client';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BINARY_CONTENT_TYPE,
  binaryCodec,
  type DeadLetter,
  type RabbitTransport,
  rabbitmqTransport,
} from '../../adapters/rabbitmq/node.ts';
import { caught, range, sleep } from '../../js/conformance/helpers.ts';
import { numbered, numberOf } from '../../js/conformance/transport/kit.ts';
import { isWhizbangError } from '../../js/util/errors.ts';
import { freePort } from '../support/ports.ts';
import { dropTopology, runName } from '../support/rabbitmq-topology.ts';
import { RABBITMQ_URL, rabbitmqReachable } from '../support/services.ts';
import {
  alwaysFailing,
  LAST_REASONS,
  notEnvelopes,
  reasonOf,
} from '../support/transport-failures.ts';

const up = await rabbitmqReachable('RabbitMQ reliability');
const exchanges: string[] = [];
afterAll(async () => {
  for (const exchange of exchanges) await dropTopology(RABBITMQ_URL, exchange).catch(() => {});
});

/** A transport on an exchange of its own, closed by the caller. */
function transport(
  options: Parameters<typeof rabbitmqTransport>[0] = {},
): Promise<RabbitTransport> {
  const exchange = options.exchange ?? runName('rel');
  if (!exchanges.includes(exchange)) exchanges.push(exchange);
  return rabbitmqTransport({ urls: RABBITMQ_URL, ...options, exchange });
}

/** A raw client of the broker, as another program (or the operator) would use it. */
async function raw(): Promise<AMQPClient> {
  const client = new AMQPClient(RABBITMQ_URL);
  client.onerror = () => undefined;
  await client.connect();
  return client;
}

/** Takes every message waiting in `queue`. */
async function drain(client: AMQPClient, queue: string): Promise<AMQPMessage[]> {
  const channel = await client.channel();
  const taken: AMQPMessage[] = [];
  for (;;) {
    const msg = await channel.basicGet(queue, { noAck: true });
    if (msg === null) return taken;
    taken.push(msg);
  }
}

async function until(check: () => boolean, what: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out: ${what()}`);
    await sleep(5);
  }
}

describe.skipIf(!up)('malformed messages and failing handlers', () => {
  for (const mode of ['reliable', 'fire-and-forget'] as const) {
    it(`${mode}: random bytes and wrong shapes are dead-lettered with MALFORMED_MESSAGE; the consumer keeps going`, async () => {
      const letters: DeadLetter[] = [];
      const t = await transport({ mode, onDeadLetter: (letter) => void letters.push(letter) });
      const client = await raw();
      try {
        const channel = await client.channel();
        await channel.confirmSelect();
        const got: number[] = [];
        await t.subscribe('jobs', (envelope) => {
          got.push(numberOf(envelope));
        });
        const junk = notEnvelopes();
        let n = 0;
        for (const bytes of junk) {
          await t.publish('jobs', numbered(n++));
          await channel.basicPublish(t.exchange, 'jobs', bytes);
        }
        await t.publish('jobs', numbered(n++));
        await until(
          () => got.length === n && letters.length === junk.length,
          () =>
            `${n} envelopes and ${junk.length} dead letters, got ${got.length}, ${letters.length}`,
        );
        expect(got).toEqual(range(0, n - 1));
        for (const letter of letters) {
          expect(isWhizbangError(letter.error, 'MALFORMED_MESSAGE')).toBe(true);
          expect(letter.envelope).toBeUndefined();
          expect(letter.topic).toBe('jobs');
          expect(letter.deliveries).toBe(1);
        }
        expect(letters.slice(-5).map((l) => reasonOf(l.error))).toEqual(LAST_REASONS);
        expect(letters.map((l) => [...l.data])).toEqual(junk.map((b) => [...b]));
        // the dead-letter queue keeps them, readable with the broker's tools
        const kept = await drain(client, `${t.exchange}.dead-letters`);
        expect(
          kept.map((m) => [m.routingKey, m.properties.headers?.['Whizbang-Error-Code']]),
        ).toEqual(junk.map(() => ['jobs', 'MALFORMED_MESSAGE']));
        expect(kept.map((m) => m.bodySize)).toEqual(junk.map((b) => b.length));
      } finally {
        await t.close();
        await client.close();
      }
    });
  }

  it('a handler that fails on every delivery is dead-lettered after the last attempt, acked, and the next envelope follows', async () => {
    const letters: DeadLetter[] = [];
    const t = await transport({
      redelivery: { attempts: 3, backoffMs: 5 },
      onDeadLetter: (letter) => void letters.push(letter),
    });
    const client = await raw();
    try {
      await alwaysFailing(t, 'work', letters, { queue: 'workers' });
      const [kept] = await drain(client, `${t.exchange}.dead-letters`);
      expect(kept?.properties.headers).toMatchObject({
        'Whizbang-Topic': 'work',
        'Whizbang-Error': 'never works',
        'Whizbang-Error-Code': 'HANDLER_FAILED',
        'Whizbang-Deliveries': 3,
      });
      // everything was acked: after the consumer is gone, nothing comes back to the queue
      await t.close();
      const channel = await client.channel();
      const queue = await channel.queueDeclare(`${t.exchange}/workers/work`, { passive: true });
      expect(queue.messageCount).toBe(0);
      await channel.queueDelete(queue.name);
    } finally {
      await t.close();
      await client.close();
    }
  });

  it('a group member that closes acks what it handled; the others get only the rest', async () => {
    const exchange = runName('leave');
    const t = await transport({ exchange, prefetch: 8, redelivery: { backoffMs: 10_000 } });
    try {
      const first: number[] = [];
      const leaving = await t.subscribe(
        'jobs',
        async (envelope) => {
          const n = numberOf(envelope);
          if (n === 1) await sleep(300); // the rest arrive and wait behind it
          if (n === 3) {
            await sleep(300); // in hand when the member closes, then failed: not acked
            throw new Error('not now');
          }
          first.push(n);
        },
        { queue: 'g' },
      );
      for (const n of range(1, 6)) await t.publish('jobs', numbered(n));
      await until(
        () => first.length === 2,
        () => `1 and 2 handled, got ${first}`,
      );
      await leaving.close();
      const second: number[] = [];
      await t.subscribe('jobs', (envelope) => void second.push(numberOf(envelope)), { queue: 'g' });
      await until(
        () => second.length >= 4,
        () => `3 to 6 for the member that stays, got ${second}`,
      );
      await sleep(200);
      expect(first).toEqual([1, 2]);
      expect(second).toEqual([3, 4, 5, 6]);
    } finally {
      await t.close();
      const client = await raw();
      await (await client.channel()).queueDelete(`${exchange}/g/jobs`);
      await client.close();
    }
  });

  it('a handler that returns at once (no promise) gets every envelope, in order', async () => {
    const t = await transport();
    try {
      const got: number[] = [];
      await t.subscribe('sync', (envelope) => {
        got.push(numberOf(envelope));
      });
      for (const n of range(1, 50)) await t.publish('sync', numbered(n));
      await until(
        () => got.length === 50,
        () => `50 envelopes, got ${got.length}`,
      );
      expect(got).toEqual(range(1, 50));
    } finally {
      await t.close();
    }
  });
});

describe.skipIf(!up)('what the broker holds', () => {
  for (const mode of ['reliable', 'fire-and-forget'] as const) {
    it(`${mode}: envelopes carry their content type, message id, type and traceparent as AMQP properties`, async () => {
      const t = await transport({ mode });
      const client = await raw();
      try {
        const channel = await client.channel();
        const { name } = await channel.queueDeclare('', { exclusive: true });
        await channel.queueBind(name, t.exchange, 'orders.#');
        const sent = numbered(7);
        await t.publish('orders.placed', sent);
        let msg: AMQPMessage | null = null;
        for (let i = 0; i < 200 && msg === null; i++) {
          msg = await channel.basicGet(name, { noAck: true });
          if (msg === null) await sleep(5);
        }
        expect(msg).not.toBeNull();
        expect(msg!.routingKey).toBe('orders.placed');
        expect(msg!.properties).toMatchObject({
          contentType: BINARY_CONTENT_TYPE,
          messageId: sent.messageId,
          type: 'Numbered',
          deliveryMode: mode === 'reliable' ? 2 : 1,
          headers: { traceparent: sent.traceparent },
        });
        expect(binaryCodec().decode(msg!.body as Uint8Array)).toEqual(sent);
      } finally {
        await t.close();
        await client.close();
      }
    });
  }

  it('a queue group declared before with other settings is refused with INVALID_ARGUMENT, saying why', async () => {
    const exchange = runName('mix');
    const reliable = await transport({ exchange });
    const fast = await transport({ exchange, mode: 'fire-and-forget' });
    try {
      await reliable.subscribe('a.b', () => undefined, { queue: 'g' });
      const refused = await caught(() => fast.subscribe('a.b', () => undefined, { queue: 'g' }));
      expect(isWhizbangError(refused, 'INVALID_ARGUMENT')).toBe(true);
      expect((refused as Error).message).toMatch(/exists with other settings.*another exchange/);
      // the transport that was refused still works
      const got: number[] = [];
      await fast.subscribe('a.c', (e) => void got.push(numberOf(e)));
      await fast.publish('a.c', numbered(1));
      await until(
        () => got.length === 1,
        () => 'the envelope after the refusal',
      );
    } finally {
      await reliable.close();
      await fast.close();
      const client = await raw();
      await (await client.channel()).queueDelete(`${exchange}/g/a.b`);
      await client.close();
    }
  });
});

describe.skipIf(!up)('credentials and brokers that are not there', () => {
  it('wrong credentials fail with AUTHENTICATION_FAILED; the right ones connect and work', async () => {
    const url = new URL(RABBITMQ_URL);
    const wrongs = [
      { password: 'nope' },
      { username: 'nobody', password: 'x' },
      { vhost: 'no-such-vhost' },
    ];
    for (const wrong of wrongs) {
      const error = await caught(() => rabbitmqTransport({ urls: url.href, ...wrong }));
      expect(isWhizbangError(error, 'AUTHENTICATION_FAILED')).toBe(true);
      expect((error as Error).message).toMatch(/refused the login.*Check the username, password/);
      expect((error as Error).message).not.toContain(wrong.password ?? '\u0000');
    }
    const t = await transport();
    try {
      const got: number[] = [];
      await t.subscribe('hello', (e) => void got.push(numberOf(e)));
      await t.publish('hello', numbered(1));
      await until(
        () => got.length === 1,
        () => 'the envelope',
      );
    } finally {
      await t.close();
    }
  });

  it('a broker that is not there fails with UNAVAILABLE; a list of URLs goes on to the next', async () => {
    const port = await freePort();
    const absent = `amqp://guest:secret-pw@127.0.0.1:${port}`;
    const error = await caught(() => rabbitmqTransport({ urls: absent }));
    expect(isWhizbangError(error, 'UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(
      new RegExp(`Cannot connect to RabbitMQ at amqp://guest@127\\.0\\.0\\.1:${port}`),
    );
    expect((error as Error).message).not.toContain('secret-pw');
    const t = await transport({ urls: [absent, RABBITMQ_URL] });
    await t.close();
    const bad = await caught(() => rabbitmqTransport({ urls: 'http://127.0.0.1:5672' }));
    expect(isWhizbangError(bad, 'INVALID_ARGUMENT')).toBe(true);
  });
});
