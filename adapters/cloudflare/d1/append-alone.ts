/**
 * An append with no inline work on D1: one batch (the expected-version guard, the events, the
 * stream's version), the versions and positions decided by SQL inside it and told back by
 * RETURNING, so no read goes before it.
 */
import {
  checkExpectedVersion,
  type EncodedPayload,
  recordedEvent,
  stampEvent,
} from '../../../js/kit/mod.ts';
import type { AppendResult, ExpectedVersion, NewEvent } from '../../../js/mod.ts';
import type { D1Database, D1PreparedStatement, D1Result } from './binding.ts';
import { guard, isMoved } from './errors.ts';
import { decided } from './retry.ts';

const VERSION = 'SELECT version FROM whizbang_streams WHERE tenant = ? AND stream_id = ?';
const CURRENT =
  'coalesce((SELECT version FROM whizbang_streams WHERE tenant = ? AND stream_id = ?), 0)';
const INSERT_NEXT = `INSERT INTO whizbang_events (tenant, stream_id, version, type, message_id, correlation_id, causation_id, time, data, metadata)
  SELECT ?, ?, ${CURRENT} + ?, ?, ?, ?, ?, ?, ?, ? RETURNING position, version`;
// `WHERE true`: SQLite reads ON CONFLICT after INSERT … SELECT only past a WHERE
const UPSERT_NEXT = `INSERT INTO whizbang_streams (tenant, stream_id, version) SELECT ?, ?, ${CURRENT} + ? WHERE true
  ON CONFLICT (tenant, stream_id) DO UPDATE SET version = excluded.version`;
/** Appends `events` (at least one) as one batch; ConcurrencyError when the guard finds the stream elsewhere. */
export function appendAlone(
  db: D1Database,
  streamId: string,
  tenant: string,
  expected: ExpectedVersion,
  events: readonly NewEvent[],
  payloads: readonly EncodedPayload[],
): Promise<AppendResult> {
  // a malformed expected version is refused before anything is sent
  checkExpectedVersion(
    streamId,
    expected,
    typeof expected === 'number' ? expected : expected === 'stream_exists' ? 1 : 0,
  );
  return decided(async () => {
    const statements: D1PreparedStatement[] = [];
    if (expected !== 'any') {
      statements.push(
        db
          .prepare(
            guard(
              typeof expected === 'number'
                ? `${CURRENT} = ?`
                : expected === 'no_stream'
                  ? `${CURRENT} = 0`
                  : `${CURRENT} > 0`,
            ),
          )
          .bind(tenant, streamId, ...(typeof expected === 'number' ? [expected] : [])),
      );
    }
    const first = statements.length;
    const now = Date.now();
    const stamps = events.map((e, i) => {
      const stamp = stampEvent(e, now);
      const { data, metadata } = payloads[i]!;
      statements.push(
        db
          .prepare(INSERT_NEXT)
          .bind(
            tenant,
            streamId,
            tenant,
            streamId,
            i + 1,
            e.type,
            stamp.messageId,
            stamp.correlationId,
            stamp.causationId,
            stamp.timestamp,
            data,
            metadata ?? null,
          ),
      );
      return stamp;
    });
    statements.push(
      db.prepare(UPSERT_NEXT).bind(tenant, streamId, tenant, streamId, events.length),
    );
    let results: D1Result[];
    try {
      results = await db.batch(statements);
    } catch (error) {
      // the guard failed: tell the version it found (or decide again if it moved back)
      if (isMoved(error) && expected !== 'any') {
        const row = await db.prepare(VERSION).bind(tenant, streamId).first<{ version: number }>();
        checkExpectedVersion(streamId, expected, Number(row?.version ?? 0));
      }
      throw error;
    }
    const out = events.map((e, i) => {
      const row = results[first + i]!.results[0]!;
      return recordedEvent(
        e,
        streamId,
        tenant,
        Number(row.version),
        Number(row.position),
        stamps[i]!,
      );
    });
    const last = out[out.length - 1]!;
    return { streamId, version: last.version, position: last.position, events: out };
  });
}
