/**
 * Three instances of the bank on one PostgreSQL schema, and on one SQLite file, killed with
 * SIGKILL at random and started again; then every event applied once to every async perspective,
 * every relayed deposit handled once, every timeout fired once. `KILL_MS` sets how long the kills
 * go on per store (default 4 000; `npm run test:instances` runs a long round).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresDriver } from '../../../adapters/postgres/mod.ts';
import { sqliteDriver } from '../../../adapters/sqlite/mod.ts';
import {
  DATABASE_URL,
  NATS_URL,
  natsReachable,
  postgresReachable,
} from '../../support/services.ts';
import { killRun } from './run.ts';

const postgres = await postgresReachable('PostgreSQL (instances kill test)');
const nats = await natsReachable('NATS (instances kill test)');
const killMs = Number(process.env.KILL_MS ?? 4_000);
const seed = Number(process.env.KILL_SEED ?? Date.now() % 100_000);
const name = `coordinator_kill_${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'coordinator-kill-'));

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!postgres) return;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
  await pool.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  await pool.end();
});

describe.skipIf(!nats)(`instances killed at random (seed ${seed})`, () => {
  it.skipIf(!postgres)(
    'three instances on one PostgreSQL schema',
    { timeout: killMs + 120_000 },
    async () => {
      const counted = await killRun({
        open: () => postgresDriver({ url: DATABASE_URL, schema: name, max: 2 }),
        store: { url: DATABASE_URL, schema: name },
        nats: NATS_URL,
        name: `${name}_pg`,
        killMs,
        seed,
      });
      expect(counted.kills).toBeGreaterThan(0);
    },
  );

  it('three processes on one SQLite file', { timeout: killMs + 120_000 }, async () => {
    const path = join(dir, 'bank.sqlite');
    const counted = await killRun({
      open: async () => sqliteDriver({ path }),
      store: { sqlite: path },
      nats: NATS_URL,
      name: `${name}_sqlite`,
      killMs,
      seed,
    });
    expect(counted.kills).toBeGreaterThan(0);
  });
});
