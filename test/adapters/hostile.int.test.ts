/**
 * The hostile-input suite on the drivers behind a service: PostgreSQL (a schema of its own,
 * dropped after) and the JetStream ledger (a stream of its own per driver; its append and refusal
 * side: reading a JetStream log back is the ledger conformance suite's). A short seeded run here;
 * `npm run test:hostile` runs many more (HOSTILE_RUNS).
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { jetstreamDriver } from '../../adapters/nats/node.ts';
import { migratePostgres, postgresDriver } from '../../adapters/postgres/mod.ts';
import { hostileConformance } from '../../js/conformance/mod.ts';
import type { Driver } from '../../js/mod.ts';
import { hostileRuns } from '../support/hostile.ts';
import { DATABASE_URL, NATS_URL, natsReachable, postgresReachable } from '../support/services.ts';

const runs = hostileRuns(15);
const pgUp = await postgresReachable('PostgreSQL (hostile input)');
const natsUp = await natsReachable('NATS JetStream (hostile input)');
const run = `${process.pid}_${Date.now().toString(36)}`;

const schema = `whizbang_hostile_${run}`;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 6 });
pool.on('error', () => {});
const TABLES = ['events', 'models', 'checkpoints', 'outbox', 'inbox', 'snapshots'].map(
  (t) => `"${schema}".whizbang_${t}`,
);
afterAll(async () => {
  if (pgUp) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe.skipIf(!pgUp)('PostgreSQL', () => {
  hostileConformance(
    'postgres',
    async () => {
      await migratePostgres({ pool, schema });
      await pool.query(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY`);
      // a pool of its own: close() ends it, as a driver that made its pool does
      return postgresDriver({ url: DATABASE_URL, schema, max: 2, pollMs: 50 });
    },
    runs,
  );
});

let nc: NatsConnection;
let made = 0;
beforeAll(async () => {
  if (natsUp) nc = await connect({ servers: NATS_URL });
});
afterAll(async () => {
  await nc?.close();
});

describe.skipIf(!natsUp)('NATS JetStream ledger', () => {
  hostileConformance(
    'jetstream',
    async (): Promise<Driver> => {
      const n = made++;
      const stream = `WB_HOSTILE_${run}_${n}`;
      const driver = await jetstreamDriver({ connection: nc, stream, prefix: `wbh.${run}.${n}` });
      return {
        ...driver,
        async close() {
          await driver.close();
          await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
        },
      };
    },
    { ...runs, reads: false, queries: false },
  );
});
