/**
 * Appends to many streams in one transaction on PostgreSQL: one call of `whizbang_append_many`
 * (one statement, the schema's append lock taken once), then each append's inline work on the same
 * writer. All or none: when an append's expected version does not hold, the transaction is rolled
 * back and the append's conflict thrown, so nothing of the batch is written.
 */
import { type BatchAppend, checkAppend, checkEventCount, type Limits } from '../../js/kit/mod.ts';
import {
  type AppendResult,
  ConcurrencyError,
  DEFAULT_TENANT,
  type NewEvent,
  type RecordedEvent,
} from '../../js/mod.ts';
import { manyParams } from './group.ts';
import { type EventRows, encodeRows, expectedCode } from './rows.ts';
import type { PgStore } from './store.ts';

/** The recorded events of an append that landed at `version` and `position` (its last event's). */
export function recordedEvents(
  streamId: string,
  tenant: string,
  events: readonly NewEvent[],
  rows: EventRows,
  version: number,
  position: number,
): RecordedEvent[] {
  const first = position - events.length + 1;
  const out = new Array<RecordedEvent>(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    out[i] = {
      kind: 'event',
      type: e.type,
      data: e.data,
      streamId,
      version: version - events.length + 1 + i,
      position: first + i,
      tenant,
      messageId: rows.ids[i]!,
      correlationId: e.correlationId ?? rows.ids[i]!,
      causationId: e.causationId ?? rows.ids[i]!,
      timestamp: rows.times[i]!,
      metadata: e.metadata,
    } as RecordedEvent;
  }
  return out;
}

/** The ledger's `appendBatch` over `store`'s transactions; `q` is the quoted schema. */
export function pgAppendBatch(
  store: PgStore,
  q: string,
  limits: Limits,
): (appends: readonly BatchAppend[]) => Promise<AppendResult[]> {
  const MANY = `SELECT ok, version, "position" FROM ${q}.whizbang_append_many($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb[], $11::jsonb[]) ORDER BY n`;
  return async (appends) => {
    checkEventCount(
      appends.reduce((n: number, a: BatchAppend) => n + (a?.events?.length ?? 0), 0),
      limits,
    );
    // checked and encoded before anything is sent: bad input is refused with nothing begun
    const items = appends.map((a) => {
      checkAppend(a.streamId, a.events, a.options, limits);
      const options = a.options ?? {};
      const expected = options.expectedVersion ?? 'any';
      return {
        a,
        tenant: options.tenant ?? DEFAULT_TENANT,
        streamId: a.streamId,
        expected,
        code: expectedCode(expected),
        rows: encodeRows(a.streamId, a.events, limits),
      };
    });
    if (items.length === 0) return [];
    return store.within(async (c, writer) => {
      const rows = await c.query(MANY, manyParams(items));
      const results: AppendResult[] = [];
      for (let i = 0; i < items.length; i++) {
        const { a, tenant, streamId, expected, rows: encoded } = items[i]!;
        const row = rows[i];
        const version = Number(row?.[1] ?? 0);
        // thrown inside the transaction: it is rolled back, the whole batch with it
        if (row?.[0] !== true) throw new ConcurrencyError(streamId, expected, version);
        const position = Number(row[2]);
        const events = recordedEvents(streamId, tenant, a.events, encoded, version, position);
        results.push({ streamId, version, position, events });
      }
      for (let i = 0; i < items.length; i++) {
        const work = items[i]!.a.options?.inTransaction;
        const done = results[i]!;
        if (work !== undefined && done.events.length > 0) await work(done.events, writer);
      }
      return results;
    });
  };
}
