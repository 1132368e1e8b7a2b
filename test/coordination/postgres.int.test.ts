/**
 * The work coordinator on PostgreSQL: the lease suite through two pools on one schema, and app
 * instances (each with its own pool, as separate processes would have) sharing one schema.
 */
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';
import { type PostgresDriver, postgresDriver } from '../../adapters/postgres/mod.ts';
import { leaseConformance } from '../../js/conformance/lease.ts';
import { DATABASE_URL, postgresReachable } from '../support/services.ts';
import {
  coordinatedShareAndHandOver,
  oneRelayAtATime,
  partitionedShare,
  takeoverAfterSilence,
  uncoordinatedStillOnce,
} from './scenarios.ts';
import { schedulesSurviveAndFireOnce } from './schedule-scenario.ts';

const up = await postgresReachable('PostgreSQL (work coordinator)');
const base = `coordinator_${process.pid}_${Date.now().toString(36)}`;
let schemas = 0;
const used: string[] = [];

/** A fresh schema name for one test. */
function schema(): string {
  const name = `${base}_${++schemas}`;
  used.push(name);
  return name;
}

const open = (name: string) => (): Promise<PostgresDriver> =>
  postgresDriver({ url: DATABASE_URL, schema: name, max: 4, pollMs: 50 });

afterAll(async () => {
  if (!up) return;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
  for (const name of used) await pool.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  await pool.end();
});

describe.skipIf(!up)('work coordinator on PostgreSQL', () => {
  const leaseSchema = schema();
  leaseConformance('postgres', async () => {
    const [a, b] = await Promise.all([open(leaseSchema)(), open(leaseSchema)()]);
    return {
      a: a.leases,
      b: b.leases,
      close: async () => {
        await a.close();
        await b.close();
      },
    };
  });

  it('applies each event once with two uncoordinated instances', async () => {
    await uncoordinatedStillOnce(open(schema()));
  });

  it('shares the perspectives between two instances and hands them over', async () => {
    await coordinatedShareAndHandOver(open(schema()));
  });

  it('splits a perspective into partitions shared by two instances', async () => {
    await partitionedShare(open(schema()));
  });

  it('runs one relay at a time, and every record goes out once', async () => {
    await oneRelayAtATime(open(schema()));
  });

  it('keeps scheduled commands and saga timeouts across restarts, and sends each once', async () => {
    await schedulesSurviveAndFireOnce(open(schema()));
  });

  it('takes over the work of a silent owner once its lease expires', async () => {
    const name = schema();
    const ghost = await open(name)();
    try {
      await takeoverAfterSilence(open(name), async (lease, ttl) => {
        await ghost.leases.acquire(lease, 'ghost', ttl);
      });
    } finally {
      await ghost.close();
    }
  });
});
