/**
 * The JetStream ledger runs the Ledger conformance suite on the real server: each fresh driver
 * gets a stream and subject prefix of its own, deleted when the driver closes.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe } from 'vitest';
import { jetstreamDriver } from '../../adapters/nats/mod.ts';
import type { Driver } from '../../js/driver.ts';
import { ledgerConformance } from '../conformance/ledger.ts';
import { NATS_URL, natsReachable } from '../support/services.ts';

const up = await natsReachable('NATS JetStream ledger');
const run = `${process.pid}_${Date.now().toString(36)}`;
let nc: NatsConnection;
let made = 0;

beforeAll(async () => {
  if (up) nc = await connect({ servers: NATS_URL });
});
afterAll(async () => {
  await nc?.close();
});

/** A driver on a stream of its own, deleted when the driver closes. */
async function fresh(): Promise<Driver> {
  const n = made++;
  const stream = `WB_LEDGER_${run}_${n}`;
  const driver = await jetstreamDriver({
    connection: nc,
    stream,
    prefix: `wbl.${run}.${n}`,
  });
  return {
    ...driver,
    async close() {
      await driver.close();
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    },
  };
}

describe.skipIf(!up)('NATS JetStream ledger', () => {
  ledgerConformance('jetstream', fresh, { numRuns: 25 });
});
