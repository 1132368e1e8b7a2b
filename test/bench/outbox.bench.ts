/**
 * The outbox path: routed commands written to the outbox, relayed to a memory transport,
 * delivered; and the relay alone over NATS JetStream (`NATS_URL`), against the transport
 * publishing the same envelopes as many at a time.
 */

import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsTransport, natsTransport } from '../../adapters/nats/node.ts';
import type { WireEnvelope } from '../../js/mod.ts';
import {
  defineCommand,
  defineEvent,
  defineReceptor,
  memoryTransport,
  payload,
  type Whizbang,
  whizbang,
} from '../../js/mod.ts';
import type { BenchEntry, Side } from './harness.ts';

const Notify = defineCommand('Notify', payload<{ userId: string; text: string }>());
const Order = defineCommand('Order', payload<{ customer: number; n: number }>());
const Ordered = defineEvent('Ordered', payload<{ customer: number; n: number }>());
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** Waits until `count()` reaches `n`, yielding to the event loop. */
async function reach(count: () => number, n: number): Promise<void> {
  while (count() < n) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * The relay over JetStream: the outbox filled with `Ordered` events of 100 streams (not timed),
 * then relayed (16 streams at a time, each in order) until a subscriber has them all; against the
 * same transport publishing the same envelopes 16 at a time.
 */
function jetstreamRelay(): BenchEntry {
  const name = 'outbox.nats.jetstream';
  return {
    name,
    make: () => {
      const run = `${process.pid}_${Date.now().toString(36)}`;
      const stream = `WB_BENCH_OUTBOX_${run}`;
      const options = {
        servers: NATS_URL,
        prefix: `wbo_${run}`,
        jetstream: { stream, maxAckPending: 1_024 },
      };
      let pub: NatsTransport;
      let sub: NatsTransport;
      let got = 0;
      let app: Whizbang<ReturnType<typeof Order>>;
      let envelopes: WireEnvelope[] = [];
      let round = 0;
      const open = async (): Promise<void> => {
        if (pub !== undefined) return;
        pub = await natsTransport(options);
        sub = await natsTransport(options);
        await sub.subscribe('bench.>', () => {
          got++;
        });
      };
      const subject: Side = {
        name: 'outbox (100 streams) -> app.relay -> JetStream -> subscriber',
        setup: async () => {
          await open();
          got = 0;
          round++;
          app = whizbang('bench')
            .receptor(
              defineReceptor({
                command: Order,
                stream: (c) => `customer-${c.data.customer}`,
                handle: (c) => Ordered(c.data),
              }),
            )
            .route(Ordered, { to: 'outbox', topic: `bench.${round}` })
            .build();
          for (let i = 0; i < 2_000; i++) await app.send(Order({ customer: i % 100, n: i }));
          envelopes = (await app.store.outbox!.pending(2_000, Date.now())).map((r) => r.envelope);
        },
        run: async (n) => {
          const relay = app.relay(pub, { batchSize: 500 });
          await reach(() => got, n);
          await relay.stop();
          return n;
        },
      };
      const baseline: Side = {
        name: 'the JetStream transport publishing the same envelopes, 16 at a time',
        setup: async () => {
          await open();
          got = 0;
          round++;
        },
        run: async (n) => {
          let next = 0;
          const worker = async (): Promise<void> => {
            while (next < n) await pub.publish(`bench.b${round}`, envelopes[next++]!);
          };
          await Promise.all(Array.from({ length: 16 }, worker));
          await reach(() => got, n);
          return n;
        },
      };
      return {
        name,
        unit: 'messages/s',
        ops: 2_000,
        rounds: 5,
        subject,
        baseline,
        finish: async () => {
          const jsm = await jetstreamManager(pub.connection as never);
          await jsm.streams.delete(stream).catch(() => undefined);
          await pub.close();
          await sub.close();
        },
      };
    },
  };
}

export const benches: BenchEntry[] = [
  {
    name: 'outbox.memory.throughput',
    make: () => {
      const envelope = (i: number): WireEnvelope => ({
        message: Notify({ userId: `u${i % 100}`, text: 'hello' }),
        messageId: `m-${i}`,
        correlationId: `m-${i}`,
        causationId: `m-${i}`,
        tenant: 'default',
        timestamp: Date.now(),
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        hops: [],
      });
      return {
        name: 'outbox.memory.throughput',
        unit: 'messages/s',
        ops: 20_000,
        subject: {
          name: 'send (queued in the outbox) -> relay -> memory transport -> subscriber',
          run: async (n) => {
            const transport = memoryTransport();
            let received = 0;
            transport.subscribe('whizbang.commands.Notify', () => {
              received++;
            });
            const app = whizbang('bench').route(Notify, { to: 'outbox' }).build();
            const relay = app.relay(transport, { batchSize: 500 });
            for (let i = 0; i < n; i++)
              await app.send(Notify({ userId: `u${i % 100}`, text: 'hello' }));
            await relay.flush();
            while (received < n) await new Promise((r) => setTimeout(r, 1));
            await relay.stop();
            await transport.close();
            return received;
          },
        },
        baseline: {
          name: 'memory transport publish -> subscriber of the same envelopes, no outbox',
          run: async (n) => {
            const transport = memoryTransport();
            let received = 0;
            transport.subscribe('whizbang.commands.Notify', () => {
              received++;
            });
            for (let i = 0; i < n; i++)
              await transport.publish('whizbang.commands.Notify', envelope(i));
            while (received < n) await new Promise((r) => setTimeout(r, 1));
            await transport.close();
            return received;
          },
        },
      };
    },
  },
  jetstreamRelay(),
];
