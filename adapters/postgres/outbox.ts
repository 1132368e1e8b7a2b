/**
 * The PostgreSQL outbox, dead letters and inbox. Records wait in `whizbang_outbox` in line order
 * (`seq`), each with the stream it keeps order in (`stream`, see `outboxStream`): `pending` skips
 * whatever stands behind a record of its stream that is not due. Dead letters wait in
 * `whizbang_dead_letters` until replayed; the inbox keeps the rest of an unfinished handling
 * (`rest`, jsonb) with its mark.
 */

import {
  type DeadLetterRecord,
  type OutboxCounts,
  type OutboxRecord,
  type OutboxStore,
  type OutboxWriter,
  outboxStream,
  WhizbangError,
} from '../../js/mod.ts';
import type { PgConnection, PgEngine } from './engine.ts';
import type { SchemaNames } from './schema.ts';
import { AT, checkText, jsonFor, MS } from './text.ts';

const READ = `id, topic, envelope, attempts, ${MS('enqueued_at')}, ${MS('available_at')}, last_error`;

function toRecord(r: unknown[]): OutboxRecord {
  return {
    id: r[0] as string,
    topic: r[1] as string,
    envelope: r[2] as OutboxRecord['envelope'],
    attempts: Number(r[3]),
    enqueuedAt: Number(r[4]),
    availableAt: Number(r[5]),
    ...(r[6] === null ? {} : { lastError: r[6] as string }),
  };
}

/** Errors are kept as text, which cannot hold U+0000. */
const errorText = (error: string): string => error.replaceAll('\0', '\uFFFD');

/** The outbox and inbox writes of the transaction on connection `c`. */
export function pgOutboxWriter(c: PgConnection, { q }: SchemaNames): OutboxWriter {
  const ENQUEUE = `INSERT INTO ${q}.whizbang_outbox (id, tenant, stream, topic, envelope, attempts, enqueued_at, available_at, last_error)
    SELECT i, t, s, tp, e, a, ${AT('en')}, ${AT('av')}, le FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::int[], $7::float8[], $8::float8[], $9::text[]) AS x(i, t, s, tp, e, a, en, av, le)`;
  const HANDLED = `INSERT INTO ${q}.whizbang_inbox (tenant, message_id, handled_at, rest) VALUES ($1, $2, now(), $3::jsonb) ON CONFLICT DO NOTHING RETURNING 1`;
  return {
    async enqueue(records) {
      if (records.length === 0) return;
      const cols: unknown[][] = [[], [], [], [], [], [], [], [], []];
      records.forEach((r, i) => {
        cols[0]![i] = r.id;
        cols[1]![i] = r.envelope.tenant;
        cols[2]![i] = outboxStream(r);
        cols[3]![i] = r.topic;
        cols[4]![i] = jsonFor(r.envelope);
        cols[5]![i] = r.attempts;
        cols[6]![i] = r.enqueuedAt;
        cols[7]![i] = r.availableAt;
        cols[8]![i] = r.lastError ?? null;
      });
      await c.query(ENQUEUE, cols);
    },
    async markHandled(tenant, messageId, rest) {
      checkText('message id', messageId);
      const json = rest === undefined ? null : jsonFor(rest);
      const done = await c.query(HANDLED, [tenant, messageId, json]);
      if (done.length === 0) {
        throw new WhizbangError(
          'DUPLICATE_MESSAGE',
          `Message ${messageId} was handled already; this delivery is a duplicate.`,
        );
      }
    },
    async markFinished(tenant, messageId) {
      if (messageId.includes('\0')) return;
      await c.query(
        `UPDATE ${q}.whizbang_inbox SET rest = NULL WHERE tenant = $1 AND message_id = $2 AND rest IS NOT NULL`,
        [tenant, messageId],
      );
    },
  };
}

/** The relay's side of the outbox and the inbox's questions. */
export function pgOutbox(engine: PgEngine, { q }: SchemaNames): OutboxStore {
  return {
    async pending(limit: number, now: number): Promise<OutboxRecord[]> {
      const rows = await engine.query(
        `SELECT ${READ} FROM ${q}.whizbang_outbox o WHERE o.available_at <= ${AT('$1')} AND NOT EXISTS (
           SELECT 1 FROM ${q}.whizbang_outbox b WHERE b.stream = o.stream AND b.seq < o.seq AND b.available_at > ${AT('$1')}
         ) ORDER BY o.seq LIMIT $2`,
        [now, limit],
      );
      return rows.map(toRecord);
    },
    async delivered(ids: readonly string[]): Promise<void> {
      if (ids.length === 0) return;
      await engine.query(`DELETE FROM ${q}.whizbang_outbox WHERE id = ANY($1::text[])`, [ids]);
    },
    async retryLater(id: string, error: string, availableAt: number): Promise<void> {
      await engine.query(
        `UPDATE ${q}.whizbang_outbox SET attempts = attempts + 1, available_at = ${AT('$1')}, last_error = $2 WHERE id = $3`,
        [availableAt, errorText(error), id],
      );
    },
    async deadLetter(id: string, error: string, at: number): Promise<void> {
      // one statement: the row leaves the outbox and lands in the dead letters together
      await engine.query(
        `WITH gone AS (DELETE FROM ${q}.whizbang_outbox WHERE id = $1 RETURNING *)
         INSERT INTO ${q}.whizbang_dead_letters (id, tenant, stream, topic, envelope, attempts, enqueued_at, available_at, last_error, dead_at)
         SELECT id, tenant, stream, topic, envelope, attempts + 1, enqueued_at, available_at, $2, ${AT('$3')} FROM gone
         ON CONFLICT (id) DO UPDATE SET attempts = excluded.attempts, last_error = excluded.last_error, dead_at = excluded.dead_at`,
        [id, errorText(error), at],
      );
    },
    async deadLetters(limit?: number): Promise<DeadLetterRecord[]> {
      const rows = await engine.query(
        `SELECT ${READ}, ${MS('dead_at')} FROM ${q}.whizbang_dead_letters ORDER BY seq LIMIT $1`,
        [limit ?? null],
      );
      return rows.map((r) => ({
        ...toRecord(r),
        lastError: r[6] as string,
        deadAt: Number(r[7]),
      }));
    },
    async replay(ids?: readonly string[]): Promise<number> {
      // back to the end of the line (a new seq), due now, in the order they died; now to the
      // millisecond, as callers' clocks give it (a microsecond later and `pending(n, Date.now())`
      // taken right after would not see it yet)
      const rows = await engine.query(
        `WITH back AS (DELETE FROM ${q}.whizbang_dead_letters WHERE $1::text[] IS NULL OR id = ANY($1::text[]) RETURNING *)
         INSERT INTO ${q}.whizbang_outbox (id, tenant, stream, topic, envelope, attempts, enqueued_at, available_at, last_error)
         SELECT id, tenant, stream, topic, envelope, 0, enqueued_at, date_trunc('milliseconds', now()), NULL FROM back ORDER BY seq
         ON CONFLICT (id) DO NOTHING RETURNING 1`,
        [ids === undefined ? null : [...ids]],
      );
      return rows.length;
    },
    async counts(): Promise<OutboxCounts> {
      const [row] = await engine.query(
        `SELECT (SELECT count(*) FROM ${q}.whizbang_outbox), (SELECT count(*) FROM ${q}.whizbang_dead_letters), (SELECT count(*) FROM ${q}.whizbang_inbox)`,
      );
      return { outbox: Number(row![0]), deadLetters: Number(row![1]), inbox: Number(row![2]) };
    },
    async handled(tenant: string, messageId: string): Promise<boolean> {
      if (messageId.includes('\0')) return false;
      const rows = await engine.query(
        `SELECT 1 FROM ${q}.whizbang_inbox WHERE tenant = $1 AND message_id = $2`,
        [tenant, messageId],
      );
      return rows.length > 0;
    },
    async unfinished(tenant: string, messageId: string): Promise<unknown> {
      if (messageId.includes('\0')) return undefined;
      const rows = await engine.query(
        `SELECT rest FROM ${q}.whizbang_inbox WHERE tenant = $1 AND message_id = $2`,
        [tenant, messageId],
      );
      return rows[0]?.[0] ?? undefined;
    },
  };
}
