/** The outbox path: routed commands written to the outbox, relayed to a memory transport, delivered. */

import type { WireEnvelope } from '../../js/mod.ts';
import { defineCommand, memoryTransport, payload, whizbang } from '../../js/mod.ts';
import type { BenchEntry } from './harness.ts';

const Notify = defineCommand('Notify', payload<{ userId: string; text: string }>());

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
];
