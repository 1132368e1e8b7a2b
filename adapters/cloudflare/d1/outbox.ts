/**
 * The relay's side of the outbox, the dead letters and the inbox's questions on D1, in the SQLite
 * adapter's tables. Every move is one batch (all-or-nothing).
 */
import type { DeadLetterRecord, OutboxCounts, OutboxRecord, OutboxStore } from '../../../js/mod.ts';
import { COLUMNS, toRecord } from '../../sqlite/outbox.ts';
import type { D1Database } from './binding.ts';

/** The outbox store over a migrated D1 database. */
export function d1Outbox(db: D1Database): OutboxStore {
  const rows = async (sql: string, ...params: unknown[]): Promise<Record<string, unknown>[]> =>
    (
      await db
        .prepare(sql)
        .bind(...params)
        .all()
    ).results;
  return {
    pending: async (limit: number, now: number): Promise<OutboxRecord[]> =>
      (
        await rows(
          `SELECT * FROM whizbang_outbox o WHERE available_at <= ? AND NOT EXISTS (
             SELECT 1 FROM whizbang_outbox b WHERE b.stream = o.stream AND b.seq < o.seq AND b.available_at > ?
           ) ORDER BY seq LIMIT ?`,
          now,
          now,
          limit,
        )
      ).map(toRecord),
    async delivered(ids: readonly string[]): Promise<void> {
      if (ids.length === 0) return;
      await db.batch(
        ids.map((id) => db.prepare('DELETE FROM whizbang_outbox WHERE id = ?').bind(id)),
      );
    },
    async retryLater(id: string, error: string, availableAt: number): Promise<void> {
      await db
        .prepare(
          'UPDATE whizbang_outbox SET attempts = attempts + 1, available_at = ?, last_error = ? WHERE id = ?',
        )
        .bind(availableAt, error, id)
        .run();
    },
    async deadLetter(id: string, error: string, at: number): Promise<void> {
      await db.batch([
        db
          .prepare(
            `INSERT OR REPLACE INTO whizbang_dead_letters (${COLUMNS}, dead_at)
             SELECT id, stream, topic, envelope, attempts + 1, enqueued_at, available_at, ?, ? FROM whizbang_outbox WHERE id = ?`,
          )
          .bind(error, at, id),
        db.prepare('DELETE FROM whizbang_outbox WHERE id = ?').bind(id),
      ]);
    },
    deadLetters: async (limit?: number): Promise<DeadLetterRecord[]> =>
      (await rows('SELECT * FROM whizbang_dead_letters ORDER BY seq LIMIT ?', limit ?? -1)).map(
        (row) => ({
          ...toRecord(row),
          lastError: row.last_error as string,
          deadAt: Number(row.dead_at),
        }),
      ),
    async replay(ids?: readonly string[]): Promise<number> {
      const chosen =
        ids ??
        (await rows('SELECT id FROM whizbang_dead_letters ORDER BY seq')).map(
          (r) => r.id as string,
        );
      if (chosen.length === 0) return 0;
      const now = Date.now();
      // per id: back to the outbox, then out of the dead letters (only what went back)
      const results = await db.batch(
        chosen.flatMap((id) => [
          db
            .prepare(
              `INSERT OR REPLACE INTO whizbang_outbox (${COLUMNS})
               SELECT id, stream, topic, envelope, 0, enqueued_at, ?, NULL FROM whizbang_dead_letters WHERE id = ?`,
            )
            .bind(now, id),
          db.prepare('DELETE FROM whizbang_dead_letters WHERE id = ?').bind(id),
        ]),
      );
      return results.filter((r, i) => i % 2 === 0 && Number(r.meta.changes ?? 0) > 0).length;
    },
    async counts(): Promise<OutboxCounts> {
      const row = (
        await rows(
          `SELECT (SELECT count(*) FROM whizbang_outbox) AS outbox,
                  (SELECT count(*) FROM whizbang_dead_letters) AS dead,
                  (SELECT count(*) FROM whizbang_inbox) AS inbox`,
        )
      )[0]!;
      return {
        outbox: Number(row.outbox),
        deadLetters: Number(row.dead),
        inbox: Number(row.inbox),
      };
    },
    handled: async (tenant: string, messageId: string): Promise<boolean> =>
      (
        await rows(
          'SELECT 1 AS x FROM whizbang_inbox WHERE tenant = ? AND message_id = ?',
          tenant,
          messageId,
        )
      ).length > 0,
    async unfinished(tenant: string, messageId: string): Promise<unknown> {
      const row = (
        await rows(
          'SELECT rest FROM whizbang_inbox WHERE tenant = ? AND message_id = ?',
          tenant,
          messageId,
        )
      )[0];
      return typeof row?.rest === 'string' ? JSON.parse(row.rest) : undefined;
    },
  };
}
