/**
 * A PostgreSQL schema written by schema 2 keeps its outbox through the upgrade to schema 3: each
 * waiting record gets the stream it keeps order in (the same `outboxStream` the relay uses), and a
 * record that was being retried holds its stream.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { fromPgPool, postgresDriver } from '../../adapters/postgres/mod.ts';
import { migrate, schemaNames } from '../../adapters/postgres/schema.ts';
import { outboxStream, type WireEnvelope } from '../../js/mod.ts';
import { DATABASE_URL, postgresReachable } from '../support/services.ts';

const up = await postgresReachable('PostgreSQL outbox upgrade');
const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
admin.on('error', () => {});
const schema = `outbox_upgrade_${process.pid}_${Date.now().toString(36)}`;
afterAll(async () => {
  if (up) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

const envelope = (id: string, streamId?: string): WireEnvelope => ({
  message: { kind: 'event', type: 'Placed', data: { id } },
  messageId: id,
  correlationId: id,
  causationId: id,
  ...(streamId === undefined ? {} : { streamId }),
  tenant: 'acme',
  timestamp: 1,
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  hops: [],
});

describe.skipIf(!up)('PostgreSQL outbox upgrade', () => {
  it('gives the records of a schema-2 outbox their streams', async () => {
    expect(await migrate(fromPgPool(admin), schemaNames(schema), 2)).toBe(0);
    const rows: Array<[string, string, WireEnvelope, number, number]> = [
      ['a1', 'orders', envelope('a1', 'order-a'), 1, 9_999],
      ['a2', 'orders', envelope('a2', 'order-a'), 0, 2],
      ['c1', 'whizbang.commands.Ship', envelope('c1'), 0, 3],
    ];
    for (const [id, topic, e, attempts, availableAt] of rows) {
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
      expect(streams).toEqual(
        rows.map(([id, topic, e]) => ({ id, stream: outboxStream({ topic, envelope: e }) })),
      );
      // a1 was being retried: it holds a2 (its stream), not c1
      expect((await driver.store.outbox.pending(10, 100)).map((r) => r.id)).toEqual(['c1']);
      expect((await driver.store.outbox.pending(10, 10_000)).map((r) => r.id)).toEqual([
        'a1',
        'a2',
        'c1',
      ]);
      expect(await driver.store.outbox.counts()).toEqual({ outbox: 3, deadLetters: 0, inbox: 0 });
    } finally {
      await driver.close();
    }
  });
});
