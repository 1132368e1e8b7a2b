/**
 * The durability rig across processes: the sender and the receiver in processes of their own, on
 * SQLite files or PostgreSQL schemas, over NATS core or JetStream on the run's own nats-server;
 * the sender, the receiver and the broker killed with SIGKILL while orders flow, and started again.
 * JetStream runs kill all three; core NATS, at most once on the wire (a message the broker or a
 * receiver held when it died is gone), kills only the sender. Every seed must show: the whole
 * effect of every accepted order exactly once, in order per stream, nothing dropped, the outbox
 * empty.
 */
import { describe, expect, it } from 'vitest';
import { ACROSS, LONG, seeds } from './plan.ts';
import { runProcesses } from './processes.ts';
import { rigServices } from './services.ts';

const { postgres, nats, places, broker } = await rigServices();

/** The short run takes two of the four; the long run all. */
type Run = {
  readonly store: 'sqlite' | 'postgres';
  readonly transport: 'nats-core' | 'nats-jetstream';
};
const SHORT: readonly Run[] = [
  { store: 'sqlite', transport: 'nats-jetstream' },
  { store: 'postgres', transport: 'nats-core' },
];
const RUNS: readonly Run[] = LONG
  ? [
      ...SHORT,
      { store: 'postgres', transport: 'nats-jetstream' },
      { store: 'sqlite', transport: 'nats-core' },
    ]
  : SHORT;

describe.skipIf(!nats)('durability rig, across processes', () => {
  for (const seed of seeds()) {
    for (const { store, transport } of RUNS) {
      it.skipIf(store === 'postgres' && !postgres)(
        `${store} × ${transport}, seed ${seed}`,
        async () => {
          const jetstream = transport === 'nats-jetstream';
          const report = await runProcesses({
            store,
            transport,
            seed,
            places,
            broker: broker!,
            orders: ACROSS.orders,
            customers: ACROSS.customers,
            paceMs: ACROSS.paceMs,
            kills: jetstream ? ACROSS.jetstream : ACROSS.core,
            outagesMs: ACROSS.outages,
          });
          expect(report.problems, report.label).toEqual([]);
        },
        LONG ? 600_000 : 120_000,
      );
    }
  }
});
