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
import { expectUpgraded, OLD_ROWS } from './outbox-upgrade.ts';

const dir = mkdtempSync(join(tmpdir(), 'whizbang-outbox-upgrade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite outbox upgrade', () => {
  it('gives the records of a schema-1 file their streams', async () => {
    const path = join(dir, 'v1.db');
    const db = new Database(path);
    expect(migrate(fromBetterSqlite3(db), 1)).toBe(0);
    const insert = db.prepare(
      'INSERT INTO whizbang_outbox (id, topic, envelope, attempts, enqueued_at, available_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const [id, topic, e, attempts, availableAt] of OLD_ROWS) {
      insert.run(id, topic, JSON.stringify(e), attempts, 1, availableAt);
    }
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
    await expectUpgraded(streams, driver.store.outbox);
    expect(await driver.store.outbox.handled('acme', 'in-1')).toBe(true);
    expect(await driver.store.outbox.unfinished('acme', 'in-1')).toBeUndefined();
    expect(await driver.store.outbox.counts()).toEqual({ outbox: 3, deadLetters: 0, inbox: 1 });
    driver.close();
  });
});
