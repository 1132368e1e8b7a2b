/**
 * Group commit on PostgreSQL: the appends that wait while a batch is written go together in the
 * next one, as one call of `whizbang_append_many` (one statement, one round trip, one flush to
 * disk; the schema's append lock taken once). With inline work (perspectives, outbox rows) the
 * batch is one transaction: the statement, then each landed append's work in order on one writer.
 * Each append's expected version is checked on its own: a conflict fails that append alone. When
 * the batch is refused as a whole (an append's inline work throws, the server refuses a value) it
 * was rolled back, and each append is tried again alone, so a failure stays with its own append.
 */
import { type FlushBatch, type Settled, settle } from '../../js/kit/mod.ts';
import type { AppendOptions, AppendResult } from '../../js/mod.ts';
import type { PgEngine } from './engine.ts';
import type { EventRows } from './rows.ts';
import type { PgStore } from './store.ts';

/** One append, encoded and checked, waiting for its batch. */
export interface PgPendingAppend {
  readonly tenant: string;
  readonly streamId: string;
  /** The expected version as the SQL functions take it (-1 any, -2 no stream, -3 exists). */
  readonly code: number;
  /** The events' columns, one array each. */
  readonly rows: EventRows;

  /** The append's inline work, if any. */
  readonly inline: AppendOptions['inTransaction'];
  /** The result from a row (ok, version, position); throws the conflict when not ok. */
  readonly result: (row: unknown[] | undefined) => AppendResult;
  /** Writes this append alone, as without group commit. */
  readonly alone: () => Promise<AppendResult>;
}

/** Whether a batch that threw was surely rolled back by the server (so each may go alone). */
function refusedWhole(error: unknown): boolean {
  const code =
    (error as { code?: unknown })?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code;
  // a lost connection may or may not have committed: that error is everyone's to see
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^(08|57P0)/.test(code);
}

/** The parameters of `whizbang_append_many` for these appends, in order. */
export function manyParams(
  items: readonly Pick<PgPendingAppend, 'tenant' | 'streamId' | 'code' | 'rows'>[],
): unknown[] {
  const tenants: string[] = [];
  const streams: string[] = [];
  const expected: number[] = [];
  const counts: number[] = [];
  const types: string[] = [];
  const ids: string[] = [];
  const correlations: (string | null)[] = [];
  const causations: (string | null)[] = [];
  const times: number[] = [];
  const data: string[] = [];
  const metadata: (string | null)[] = [];
  for (const a of items) {
    tenants.push(a.tenant);
    streams.push(a.streamId);
    expected.push(a.code);
    counts.push(a.rows.types.length);
    types.push(...a.rows.types);
    ids.push(...a.rows.ids);
    correlations.push(...a.rows.correlations);
    causations.push(...a.rows.causations);
    times.push(...a.rows.times);
    data.push(...a.rows.data);
    metadata.push(...a.rows.metadata);
  }
  return [
    tenants,
    streams,
    expected,
    counts,
    types,
    ids,
    correlations,
    causations,
    times,
    data,
    metadata,
  ];
}

/** The flush of a PostgreSQL ledger's group commit; `q` is the quoted schema. */
export function pgGroupFlush(
  engine: PgEngine,
  store: PgStore,
  q: string,
): FlushBatch<PgPendingAppend, AppendResult> {
  const MANY = `SELECT ok, version, "position" FROM ${q}.whizbang_append_many($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb[], $11::jsonb[]) ORDER BY n`;
  const answer = (items: readonly PgPendingAppend[], rows: unknown[][]): Settled<AppendResult>[] =>
    items.map((a, i) => {
      try {
        return { ok: true, value: a.result(rows[i]) };
      } catch (error) {
        return { ok: false, error };
      }
    });
  // `failed.inline` is set when an append's own inline work threw: the batch was rolled back
  const together = async (
    items: readonly PgPendingAppend[],
    failed: { inline: boolean },
  ): Promise<Settled<AppendResult>[]> => {
    const params = manyParams(items);
    if (items.every((a) => a.inline === undefined))
      return answer(items, await engine.query(MANY, params));
    return store.within(async (c, writer) => {
      const settled = answer(items, await c.query(MANY, params));
      for (let i = 0; i < items.length; i++) {
        const s = settled[i]!;
        const work = items[i]!.inline;
        if (!s.ok || work === undefined || s.value.events.length === 0) continue;
        try {
          await work(s.value.events, writer);
        } catch (error) {
          failed.inline = true;
          throw error;
        }
      }
      return settled;
    });
  };
  return async (items) => {
    if (items.length === 1) return [await settle(items[0]!.alone)];
    const failed = { inline: false };
    try {
      return await together(items, failed);
    } catch (error) {
      if (!failed.inline && !refusedWhole(error)) throw error;
      // rolled back: each alone, in order, so the failure is only its own append's
      const settled: Settled<AppendResult>[] = [];
      for (const a of items) settled.push(await settle(a.alone));
      return settled;
    }
  };
}
