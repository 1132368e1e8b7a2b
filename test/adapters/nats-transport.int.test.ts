/**
 * The NATS transport runs the Transport conformance suite on the real server, in core NATS and
 * in JetStream mode (a stream of its own per test file, deleted after).
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe } from 'vitest';
import { natsTransport } from '../../adapters/nats/node.ts';
import { transportConformance } from '../../js/conformance/mod.ts';
import { NATS_URL, natsReachable } from '../support/services.ts';

const up = await natsReachable('NATS transport');
const run = `${process.pid}_${Date.now().toString(36)}`;
const stream = `WB_TRANSPORT_${run}`;

afterAll(async () => {
  if (!up) return;
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(stream).catch(() => undefined);
  await nc.close();
});

describe.skipIf(!up)('NATS transport', () => {
  transportConformance(
    'nats core',
    () => natsTransport({ servers: NATS_URL, redelivery: { backoffMs: 1 } }),
    { backPressure: false, requests: true },
  );
  transportConformance(
    'nats jetstream',
    () =>
      natsTransport({
        servers: NATS_URL,
        prefix: `wbt_${run}`,
        redelivery: { backoffMs: 1 },
        jetstream: { stream, ackWaitMs: 2_000 },
      }),
    { backPressure: false, numRuns: 8, requests: true, stores: true },
  );
});
