/**
 * Benchmarks of the RabbitMQ transport on the local broker (`RABBITMQ_URL`): envelopes published
 * and delivered through the transport against the raw AMQP client (`@cloudamqp/amqp-client`)
 * publishing and consuming the same bytes with the same settings, in reliable and in
 * fire-and-forget mode; and remote invokes at 256 in flight against the same over NATS.
 */
import {
  type AMQPChannel,
  AMQPClient,
  type AMQPMessage,
  type AMQPProperties,
} from '@cloudamqp/amqp-client';
import { natsTransport } from '../../adapters/nats/node.ts';
import {
  BINARY_CONTENT_TYPE,
  binaryCodec,
  type RabbitMode,
  type RabbitTransport,
  rabbitmqTransport,
} from '../../adapters/rabbitmq/node.ts';
import type { Transport } from '../../js/contracts/transport.ts';
import { whizbang } from '../../js/mod.ts';
import { type Balance, bank, Deposit } from '../support/invoke-bank.ts';
import { dropTopology } from '../support/rabbitmq-topology.ts';
import type { BenchEntry, Side } from './harness.ts';
import { envelope, reach } from './nats.bench.ts';

const URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const NATS = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const run = `${process.pid}_${Date.now().toString(36)}`;
const IN_FLIGHT = 256;
const PREFETCH = 32;

/** Runs `n` calls of `call`, `IN_FLIGHT` at a time. */
async function window(n: number, call: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < n) await call(next++);
    }),
  );
}

/** A raw connection as the transport makes it: TCP_NODELAY set. */
async function rawClient(): Promise<AMQPClient> {
  const client = new AMQPClient(`${URL}?heartbeat=10`);
  client.onerror = () => undefined;
  await client.connect();
  client.socket?.setNoDelay(true);
  return client;
}

/** The transport (publisher and subscriber on connections of their own) against the raw client. */
function transportPublish(name: string, mode: RabbitMode): BenchEntry {
  return {
    name,
    make: () => {
      const reliable = mode === 'reliable';
      const exchange = `wb.bench.${mode}.${run}`;
      const topic = 'bench.deposited';
      let pub: RabbitTransport;
      let sub: RabbitTransport;
      let got = 0;
      const subject: Side = {
        name: 'whizbang',
        setup: async () => {
          got = 0;
          if (pub !== undefined) return;
          pub = await rabbitmqTransport({ urls: URL, mode, exchange, prefetch: PREFETCH });
          sub = await rabbitmqTransport({ urls: URL, mode, exchange, prefetch: PREFETCH });
          await sub.subscribe(topic, () => {
            got++;
          });
        },
        run: async (n) => {
          const e = envelope(1);
          await window(n, () => pub.publish(topic, e));
          await reach(() => got, n);
          return n;
        },
      };
      // the raw side: the same bytes and properties, confirms and acks as the transport's mode
      let rawPub: AMQPClient;
      let rawSub: AMQPClient;
      let channel: AMQPChannel;
      let rawGot = 0;
      const bytes = binaryCodec().encode(envelope(1));
      const properties: AMQPProperties = {
        contentType: BINARY_CONTENT_TYPE,
        deliveryMode: reliable ? 2 : 1,
        messageId: envelope(1).messageId,
        type: 'Deposited',
        headers: { traceparent: envelope(1).traceparent },
      };
      const baseline: Side = {
        name: reliable
          ? 'raw client: confirms, persistent, quorum queue, prefetch 32, an ack each'
          : 'raw client: no confirms, transient, exclusive classic queue, prefetch 32, an ack each',
        setup: async () => {
          rawGot = 0;
          if (rawPub !== undefined) return;
          rawPub = await rawClient();
          rawSub = await rawClient();
          channel = await rawPub.channel();
          if (reliable) await channel.confirmSelect();
          const raw = `${exchange}.raw`;
          await channel.exchangeDeclare(raw, 'topic', { durable: true });
          const consuming = await rawSub.channel();
          const queue = await consuming.queueDeclare(
            reliable ? `${raw}/q` : '',
            reliable ? { durable: true } : { exclusive: true, autoDelete: true },
            reliable ? { 'x-queue-type': 'quorum' } : {},
          );
          await consuming.queueBind(queue.name, raw, topic);
          await consuming.basicQos(PREFETCH);
          await consuming.basicConsume(queue.name, { noAck: false }, (msg: AMQPMessage) => {
            rawGot++;
            msg.ack().catch(() => undefined);
          });
        },
        run: async (n) => {
          await window(n, () => channel.basicPublish(`${exchange}.raw`, topic, bytes, properties));
          await reach(() => rawGot, n);
          return n;
        },
      };
      return {
        name,
        unit: 'msgs/s',
        ops: 10_000,
        rounds: 9,
        goal: 0.8,
        subject,
        baseline,
        finish: async () => {
          for (const open of [pub, sub, rawPub, rawSub]) await open.close();
          const raw = `${exchange}.raw`;
          await dropTopology(URL, exchange, { queues: [`${raw}/q`], exchanges: [raw] });
        },
      };
    },
  };
}

/** A teller invoking a bank's Deposit through `connect()`'s transports, 256 at a time. */
function invokeSide(
  label: string,
  connect: () => Promise<Transport>,
): Side & { close(): Promise<void> } {
  let transports: Transport[] = [];
  let teller: ReturnType<typeof makeTeller> | undefined;
  let round = 0;
  return {
    name: label,
    setup: async () => {
      round++;
      if (teller !== undefined) return;
      const responder = await connect();
      const caller = await connect();
      transports = [responder, caller];
      await bank('bench').app.listen(responder, { topics: [] }); // invocations only
      teller = makeTeller();
      await teller.listen(caller);
    },
    run: async (n) => {
      await window(n, (i) =>
        teller!.localInvoke(Deposit({ accountId: `r${round}-${i % 1_000}`, amount: 1 })),
      );
      return n;
    },
    async close() {
      await Promise.all(transports.map((t) => t.close?.()));
    },
  };
}

function makeTeller() {
  return whizbang('teller')
    .route<typeof Deposit, Balance>(Deposit, { to: 'remote', timeoutMs: 30_000 })
    .build();
}

function invoke(name: string): BenchEntry {
  return {
    name,
    make: () => {
      const exchange = `wb.bench.invoke.${run}`;
      const subject = invokeSide('whizbang over RabbitMQ', () =>
        rabbitmqTransport({ urls: URL, exchange }),
      );
      const baseline = invokeSide('the same over NATS (core request/reply)', () =>
        natsTransport({ servers: NATS, prefix: `bench_${run}` }),
      );
      return {
        name,
        unit: 'invokes/s',
        ops: 5_000,
        rounds: 7,
        subject,
        baseline,
        finish: async () => {
          await subject.close();
          await baseline.close();
          await dropTopology(URL, exchange);
        },
      };
    },
  };
}

export const benches: BenchEntry[] = [
  transportPublish('rabbitmq.transport.publish', 'reliable'),
  transportPublish('rabbitmq.transport.publish.fire-and-forget', 'fire-and-forget'),
  invoke('rabbitmq.invoke'),
];
