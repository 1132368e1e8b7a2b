/**
 * The durability rig inside one process: every store (memory, SQLite, IndexedDB on
 * fake-indexeddb, PostgreSQL) with every transport (memory, NATS core, NATS JetStream), under
 * injected faults (publishes that fail before or after the broker took the envelope, deliveries
 * made twice, an outbox that fails to take delivered records out, a receiver whose second command
 * fails once after the first committed, the relay and the receiver restarted, repeated sends) and,
 * on JetStream, the broker killed and restarted. Every seed must show: the whole effect of every
 * accepted order exactly once, in order per stream, nothing dropped, the outbox empty. Two negative
 * controls break the receiving side on purpose and must be caught.
 */
import { describe, expect, it } from 'vitest';
import { runInProcess } from './in-process.ts';
import { IN_PROCESS, LONG, seeds } from './plan.ts';
import { rigServices } from './services.ts';
import type { StoreKind, TransportKind } from './setup.ts';

const { postgres, nats, places, broker } = await rigServices();
const own = broker === undefined ? {} : { broker };

const STORES: readonly StoreKind[] = ['memory', 'sqlite', 'indexeddb', 'postgres'];
const TRANSPORTS: readonly TransportKind[] = ['memory', 'nats-core', 'nats-jetstream'];
const timeout = LONG ? 300_000 : 60_000;

describe('durability rig, in one process', () => {
  for (const seed of seeds()) {
    for (const store of STORES) {
      for (const transport of TRANSPORTS) {
        const skip = (store === 'postgres' && !postgres) || (transport !== 'memory' && !nats);
        it.skipIf(skip)(
          `${store} × ${transport}, seed ${seed}`,
          async () => {
            const report = await runInProcess({
              store,
              transport,
              seed,
              places,
              ...own,
              ...IN_PROCESS,
            });
            expect(report.problems, report.label).toEqual([]);
          },
          timeout,
        );
      }
    }
  }

  it('catches a receiver that handles a redelivery again under a new id (negative control)', async () => {
    const report = await runInProcess({
      store: 'memory',
      transport: 'memory',
      seed: 7,
      places,
      control: 'rehandle',
      ...IN_PROCESS,
    });
    expect(report.problems.some((p) => /billed twice/.test(p))).toBe(true);
    expect(report.problems.some((p) => /shipped twice/.test(p))).toBe(true);
  });

  it('catches a receiver that drops messages (negative control)', async () => {
    const report = await runInProcess({
      store: 'memory',
      transport: 'memory',
      seed: 7,
      places,
      control: 'drop',
      ...IN_PROCESS,
    });
    expect(report.problems.some((p) => /never billed/.test(p))).toBe(true);
  });
});
