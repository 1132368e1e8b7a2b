/**
 * The work coordinator on PostgreSQL: the lease suite through two pools on one schema, and app
 * instances (each with its own pool, as separate processes would have) sharing one schema.
 */
import pg from 'pg';
import { afterAll, describe } from 'vitest';
import { type PostgresDriver, postgresDriver } from '../../adapters/postgres/mod.ts';
import { leaseConformance } from '../../js/conformance/lease.ts';
import { DATABASE_URL, postgresReachable } from '../support/services.ts';
import { coordinationScenarios } from './suite.ts';

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

  coordinationScenarios(() => open(schema()), true);
});
