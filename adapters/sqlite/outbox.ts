/**
 * The SQLite outbox, dead letters and inbox. Records wait in `whizbang_outbox` in line order
 * (`seq`), each with the stream it keeps order in (`stream`, see `outboxStream`): `pending` skips
 * whatever stands behind a record of its stream that is not due. Dead letters wait in
 * `whizbang_dead_letters` until replayed; the inbox keeps the rest of an unfinished handling
 * (`rest`, JSON) with its mark.
 */

import {
  type DeadLetterRecord,
  type MaybePromise,
  type OutboxCounts,
  type OutboxRecord,
  type OutboxStore,
  type OutboxWriter,
  outboxStream,
  WhizbangError,
} from '../../js/mod.ts';
import type { SqliteStatement } from './engine.ts';
import type { Gate } from './gate.ts';

/** A statement of the connection, prepared once. */
export type Sql = (text: string) => SqliteStatement;

/** An outbox (or dead-letter) row as the record the relay sees. */
export function toRecord(row: Record<string, unknown>): OutboxRecord {
  return {
    id: row.id as string,
    topic: row.topic as string,
    envelope: JSON.parse(row.envelope as string),
    attempts: Number(row.attempts),
    enqueuedAt: Number(row.enqueued_at),
    availableAt: Number(row.available_at),
    ...(row.last_error === null ? {} : { lastError: row.last_error as string }),
  };
}

/** The outbox table's columns, in the order its writes give them. */
export const COLUMNS: string =
  'id, stream, topic, envelope, attempts, enqueued_at, available_at, last_error';

/** The insert of one outbox record, its values given by `outboxRow`. */
export const ENQUEUE: string = `INSERT INTO whizbang_outbox (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

/** An outbox record's values, in the order of `COLUMNS`. */
export function outboxRow(r: OutboxRecord): unknown[] {
  return [
    r.id,
    outboxStream(r),
    r.topic,
    JSON.stringify(r.envelope),
    r.attempts,
    r.enqueuedAt,
    r.availableAt,
    r.lastError ?? null,
  ];
}

/** The outbox and inbox writes of whatever transaction is open on the connection. */
export function sqliteOutboxWriter(sql: Sql): OutboxWriter {
  return {
    enqueue(records) {
      const insert = sql(ENQUEUE);
      for (const r of records) insert.run(...outboxRow(r));
    },
    markHandled(tenant, messageId, rest) {
      const done = sql(
        'INSERT OR IGNORE INTO whizbang_inbox (tenant, message_id, handled_at, rest) VALUES (?, ?, ?, ?)',
      ).run(tenant, messageId, Date.now(), rest === undefined ? null : JSON.stringify(rest));
      if (Number(done.changes) === 0) {
        throw new WhizbangError(
          'DUPLICATE_MESSAGE',
          `Message ${messageId} was handled already; this delivery is a duplicate.`,
        );
      }
    },
    markFinished(tenant, messageId) {
      sql('UPDATE whizbang_inbox SET rest = NULL WHERE tenant = ? AND message_id = ?').run(
        tenant,
        messageId,
      );
    },
  };
}

/** The relay's side of the outbox and the inbox's questions; moves are transactions of `gate`. */
export function sqliteOutbox(sql: Sql, gate: Gate): OutboxStore {
  return {
    pending: (limit: number, now: number): OutboxRecord[] =>
      sql(
        `SELECT * FROM whizbang_outbox o WHERE available_at <= ? AND NOT EXISTS (
           SELECT 1 FROM whizbang_outbox b WHERE b.stream = o.stream AND b.seq < o.seq AND b.available_at > ?
         ) ORDER BY seq LIMIT ?`,
      )
        .all(now, now, limit)
        .map(toRecord),
    delivered(ids: readonly string[]): MaybePromise<void> {
      const del = sql('DELETE FROM whizbang_outbox WHERE id = ?');
      return gate.run(() => {
        for (const id of ids) del.run(id);
      });
    },
    retryLater(id: string, error: string, availableAt: number): void {
      sql(
        'UPDATE whizbang_outbox SET attempts = attempts + 1, available_at = ?, last_error = ? WHERE id = ?',
      ).run(availableAt, error, id);
    },
    deadLetter: (id: string, error: string, at: number): MaybePromise<void> =>
      gate.run(() => {
        sql(
          `INSERT OR REPLACE INTO whizbang_dead_letters (${COLUMNS}, dead_at)
           SELECT id, stream, topic, envelope, attempts + 1, enqueued_at, available_at, ?, ? FROM whizbang_outbox WHERE id = ?`,
        ).run(error, at, id);
        sql('DELETE FROM whizbang_outbox WHERE id = ?').run(id);
      }),
    deadLetters: (limit?: number): DeadLetterRecord[] =>
      sql('SELECT * FROM whizbang_dead_letters ORDER BY seq LIMIT ?')
        .all(limit ?? -1)
        .map((row) => ({
          ...toRecord(row),
          lastError: row.last_error as string,
          deadAt: Number(row.dead_at),
        })),
    replay: (ids?: readonly string[]): MaybePromise<number> =>
      gate.run(() => {
        const all = ids === undefined;
        const rows = all
          ? sql('SELECT id FROM whizbang_dead_letters ORDER BY seq').all()
          : ids.map((id) => ({ id }));
        const back = sql(
          `INSERT OR REPLACE INTO whizbang_outbox (${COLUMNS})
           SELECT id, stream, topic, envelope, 0, enqueued_at, ?, NULL FROM whizbang_dead_letters WHERE id = ?`,
        );
        const drop = sql('DELETE FROM whizbang_dead_letters WHERE id = ?');
        const now = Date.now();
        let moved = 0;
        for (const { id } of rows) {
          if (Number(back.run(now, id).changes) === 0) continue;
          drop.run(id);
          moved++;
        }
        return moved;
      }),
    counts(): OutboxCounts {
      const row = sql(
        `SELECT (SELECT count(*) FROM whizbang_outbox) AS outbox,
                (SELECT count(*) FROM whizbang_dead_letters) AS dead,
                (SELECT count(*) FROM whizbang_inbox) AS inbox`,
      ).get()!;
      return {
        outbox: Number(row.outbox),
        deadLetters: Number(row.dead),
        inbox: Number(row.inbox),
      };
    },
    handled: (tenant: string, messageId: string): boolean =>
      sql('SELECT 1 AS x FROM whizbang_inbox WHERE tenant = ? AND message_id = ?').get(
        tenant,
        messageId,
      ) !== undefined,
    unfinished(tenant: string, messageId: string): unknown {
      const row = sql('SELECT rest FROM whizbang_inbox WHERE tenant = ? AND message_id = ?').get(
        tenant,
        messageId,
      );
      return typeof row?.rest === 'string' ? JSON.parse(row.rest) : undefined;
    },
  };
}
