/**
 * The work coordinator on NATS: the lease suite through two connections on one KV bucket, and app
 * instances (each with its own connection) on one JetStream ledger, coordinated by the bucket,
 * sharing one perspective store.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, it } from 'vitest';
import { jetstreamDriver, natsLeases } from '../../adapters/nats/node.ts';
import { leaseConformance } from '../../js/conformance/lease.ts';
import { memoryStore } from '../../js/mod.ts';
import { NATS_URL, natsReachable } from '../support/services.ts';
import { coordinatedShareAndHandOver, takeoverAfterSilence } from './scenarios.ts';
import { schedulesSurviveAndFireOnce } from './schedule-scenario.ts';

const up = await natsReachable('NATS (work coordinator)');
const base = `coordinator_${process.pid}_${Date.now().toString(36)}`;
const streams: string[] = [];
let n = 0;

afterAll(async () => {
  if (!up) return;
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  for (const stream of streams) await jsm.streams.delete(stream).catch(() => false);
  await nc.close();
});

/** Instances on one fresh ledger stream and leases bucket, sharing one perspective store. */
function ledger(): () => ReturnType<typeof jetstreamDriver> {
  const stream = `${base}_${++n}`;
  streams.push(stream, `KV_${stream}_LEASES`);
  const store = memoryStore();
  return () =>
    jetstreamDriver({ servers: NATS_URL, stream, prefix: `coordinator.${base}.${n}`, store });
}

describe.skipIf(!up)('work coordinator on NATS', () => {
  const bucket = `${base}_leases`;
  streams.push(`KV_${bucket}`);
  leaseConformance('nats kv', async () => {
    const connections: NatsConnection[] = [
      await connect({ servers: NATS_URL }),
      await connect({ servers: NATS_URL }),
    ];
    return {
      a: natsLeases(connections[0]!, { bucket }),
      b: natsLeases(connections[1]!, { bucket }),
      close: async () => {
        for (const c of connections) await c.close();
      },
    };
  });

  it('shares the perspectives between two instances and hands them over', async () => {
    await coordinatedShareAndHandOver(ledger());
  });

  it('keeps scheduled commands and saga timeouts in the log, and sends each once', async () => {
    await schedulesSurviveAndFireOnce(ledger());
  });

  it('takes over the work of a silent owner once its lease expires', async () => {
    const open = ledger();
    const ghost = await open();
    try {
      await takeoverAfterSilence(open, async (lease, ttl) => {
        await ghost.leases.acquire(lease, 'ghost', ttl);
      });
    } finally {
      await ghost.close();
    }
  });
});
