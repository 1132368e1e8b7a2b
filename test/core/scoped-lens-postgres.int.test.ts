/**
 * Lenses scoped by principal on PostgreSQL, where `where`, `orderBy`, `limit`, `after` and `count`
 * all run in SQL: the scope joined to each query goes into its SQL (scoped-lens-suite.ts).
 */
import pg from 'pg';
import { afterAll, describe } from 'vitest';
import { postgresDriver } from '../../adapters/postgres/mod.ts';
import { DATABASE_URL, postgresReachable } from '../support/services.ts';
import { scopedLensSuite } from './scoped-lens-suite.ts';

const up = await postgresReachable('PostgreSQL (scoped lenses)');
const run = `whizbang_scoped_${process.pid}_${Date.now().toString(36)}`;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
pool.on('error', () => {});
let made = 0;
const schemas: string[] = [];

afterAll(async () => {
  if (up) for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await pool.end();
});

describe.skipIf(!up)('PostgreSQL', () => {
  scopedLensSuite('PostgreSQL', () => {
    const schema = `${run}_${made++}`;
    schemas.push(schema);
    return postgresDriver({ pool, schema });
  });
});
