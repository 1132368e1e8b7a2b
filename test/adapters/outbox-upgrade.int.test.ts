/**
 * A PostgreSQL schema written by schema 2 keeps its outbox through the upgrade to schema 3: each
 * waiting record gets the stream it keeps order in (the same `outboxStream` the relay uses), and a
 * record that was being retried holds its stream.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { fromPgPool, postgresDriver } from '../../adapters/postgres/mod.ts';
import { migrate, schemaNames } from '../../adapters/postgres/schema.ts';
import { DATABASE_URL, postgresReachable } from '../support/services.ts';
import { expectUpgraded, OLD_ROWS } from './outbox-upgrade.ts';

const up = await postgresReachable('PostgreSQL outbox upgrade');
const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
admin.on('error', () => {});
const schema = `outbox_upgrade_${process.pid}_${Date.now().toString(36)}`;
afterAll(async () => {
  if (up) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

describe.skipIf(!up)('PostgreSQL outbox upgrade', () => {
  it('gives the records of a schema-2 outbox their streams', async () => {
    expect(await migrate(fromPgPool(admin), schemaNames(schema), 2)).toBe(0);
    for (const [id, topic, e, attempts, availableAt] of OLD_ROWS) {
      await admin.query(
        `INSERT INTO "${schema}".whizbang_outbox (id, tenant, topic, envelope, attempts, enqueued_at, available_at)
         VALUES ($1, 'acme', $2, $3, $4, to_timestamp(1), to_timestamp($5::float8 / 1000))`,
        [id, topic, JSON.stringify(e), attempts, availableAt],
      );
    }
    const driver = await postgresDriver({ url: DATABASE_URL, schema });
    try {
      const { rows: streams } = await admin.query(
        `SELECT id, stream FROM "${schema}".whizbang_outbox ORDER BY seq`,
      );
      await expectUpgraded(streams, driver.store.outbox);
      expect(await driver.store.outbox.counts()).toEqual({ outbox: 3, deadLetters: 0, inbox: 0 });
    } finally {
      await driver.close();
    }
  });
});
