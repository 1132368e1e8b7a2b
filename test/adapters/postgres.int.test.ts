import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  migratePostgres,
  type PostgresDriver,
  postgresDriver,
} from '../../adapters/postgres/mod.ts';
import { SCHEMA_VERSION } from '../../adapters/postgres/schema.ts';
import {
  ledgerConformance,
  outboxConformance,
  storeConformance,
} from '../../js/conformance/mod.ts';
import { DATABASE_URL, postgresReachable } from '../support/services.ts';

// The conformance suites on the real server, one schema per test file (dropped after), emptied
// for each fresh driver; then what only PostgreSQL has to prove.
const up = await postgresReachable('PostgreSQL');

const schema = `whizbang_test_${process.pid}_${Date.now().toString(36)}`;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 12 });
pool.on('error', () => {});
const TABLES = ['events', 'models', 'checkpoints', 'outbox', 'inbox', 'snapshots'].map(
  (t) => `"${schema}".whizbang_${t}`,
);

/** A driver on the test schema, emptied first. */
async function fresh(): Promise<PostgresDriver> {
  await migratePostgres({ pool, schema });
  await pool.query(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY`);
  return postgresDriver({ pool, schema, pollMs: 50 });
}

afterAll(async () => {
  if (up) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe.skipIf(!up)('PostgreSQL', () => {
  ledgerConformance('postgres', fresh, { numRuns: 25, nulInText: false });
  storeConformance('postgres', fresh);
  outboxConformance('postgres', fresh);

  describe('schema', () => {
    const other = `${schema}_m`;
    afterAll(() => pool.query(`DROP SCHEMA IF EXISTS "${other}" CASCADE`));

    it('migrates a new schema once when many processes start together, and again is a no-op', async () => {
      const pools = Array.from(
        { length: 4 },
        () => new pg.Pool({ connectionString: DATABASE_URL, max: 1 }),
      );
      const found = await Promise.all(
        pools.map((p) => migratePostgres({ pool: p, schema: other })),
      );
      await Promise.all(pools.map((p) => p.end()));
      expect(found).toEqual([0, 0, 0, 0]);
      const { rows } = await pool.query(
        `SELECT version FROM "${other}".whizbang_schema ORDER BY version`,
      );
      expect(rows.map((r) => r.version)).toEqual(
        Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
      );
      expect(await migratePostgres({ pool, schema: other })).toBe(SCHEMA_VERSION);
    });
  });
});
