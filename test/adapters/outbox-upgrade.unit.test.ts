/**
 * A SQLite file written by schema 1 keeps its outbox through the upgrade to schema 2: each waiting
 * record gets the stream it keeps order in (the same `outboxStream` the relay uses), and a record
 * that was being retried holds its stream.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { fromBetterSqlite3, sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { migrate } from '../../adapters/sqlite/schema.ts';
import { outboxStream } from '../../js/mod.ts';

const dir = mkdtempSync(join(tmpdir(), 'whizbang-outbox-upgrade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const envelope = (id: string, streamId?: string) => ({
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

describe('SQLite outbox upgrade', () => {
  it('gives the records of a schema-1 file their streams', async () => {
    const path = join(dir, 'v1.db');
    const db = new Database(path);
    expect(migrate(fromBetterSqlite3(db), 1)).toBe(0);
    const insert = db.prepare(
      'INSERT INTO whizbang_outbox (id, topic, envelope, attempts, enqueued_at, available_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    insert.run('a1', 'orders', JSON.stringify(envelope('a1', 'order-a')), 1, 1, 9_999, 'down');
    insert.run('a2', 'orders', JSON.stringify(envelope('a2', 'order-a')), 0, 2, 2, null);
    insert.run('c1', 'whizbang.commands.Ship', JSON.stringify(envelope('c1')), 0, 3, 3, null);
    db.prepare('INSERT INTO whizbang_inbox (tenant, message_id, handled_at) VALUES (?, ?, ?)').run(
      'acme',
      'in-1',
      1,
    );
    db.close();

    const driver = sqliteDriver({ path });
    const streams = driver.database
      .prepare('SELECT id, stream FROM whizbang_outbox ORDER BY seq')
      .all() as Array<{ id: string; stream: string }>;
    expect(streams).toEqual([
      {
        id: 'a1',
        stream: outboxStream({ topic: 'orders', envelope: envelope('a1', 'order-a') } as never),
      },
      {
        id: 'a2',
        stream: outboxStream({ topic: 'orders', envelope: envelope('a2', 'order-a') } as never),
      },
      {
        id: 'c1',
        stream: outboxStream({
          topic: 'whizbang.commands.Ship',
          envelope: envelope('c1'),
        } as never),
      },
    ]);
    // a1 was being retried: it holds a2 (its stream), not c1
    expect((await driver.store.outbox.pending(10, 100)).map((r) => r.id)).toEqual(['c1']);
    expect((await driver.store.outbox.pending(10, 10_000)).map((r) => r.id)).toEqual([
      'a1',
      'a2',
      'c1',
    ]);
    expect(await driver.store.outbox.handled('acme', 'in-1')).toBe(true);
    expect(await driver.store.outbox.unfinished('acme', 'in-1')).toBeUndefined();
    expect(await driver.store.outbox.counts()).toEqual({ outbox: 3, deadLetters: 0, inbox: 1 });
    driver.close();
  });
});
