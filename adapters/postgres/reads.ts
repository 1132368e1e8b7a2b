/**
 * Stream reads made at the same time go to the server together: one statement reads every stream
 * asked for (a lateral join over the requests), so many concurrent stateful commands catching up
 * on their streams share a round trip, as their appends share a commit.
 */
import { type FlushBatch, streamColumns } from '../../js/kit/mod.ts';
import type { PgEngine } from './engine.ts';
import { MS } from './text.ts';

/** One stream read, its options resolved. */
export interface PgStreamRead {
  readonly tenant: string;
  readonly streamId: string;
  readonly from: number;
  readonly to: number;
  readonly limit: number;
}

/** The flush of gathered stream reads: each request's rows, in version order. */
export function pgReadFlush(
  engine: PgEngine,
  q: string,
  one: string,
): FlushBatch<PgStreamRead, unknown[][]> {
  const MANY = `SELECT e.*, r.n FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[]) WITH ORDINALITY AS r(t, s, f, u, l, n) CROSS JOIN LATERAL (SELECT ${streamColumns(MS('created_at'))} FROM ${q}.whizbang_events WHERE tenant = r.t AND stream_id = r.s AND version >= r.f AND version <= r.u ORDER BY version LIMIT r.l) e ORDER BY r.n, e.version`;
  return async (items) => {
    if (items.length === 1) {
      const r = items[0]!;
      return [
        { ok: true, value: await engine.query(one, [r.tenant, r.streamId, r.from, r.to, r.limit]) },
      ];
    }
    const rows = await engine.query(MANY, [
      items.map((r) => r.tenant),
      items.map((r) => r.streamId),
      items.map((r) => r.from),
      items.map((r) => r.to),
      items.map((r) => r.limit),
    ]);
    const out = items.map((): unknown[][] => []);
    for (const row of rows) out[Number(row[row.length - 1]) - 1]!.push(row.slice(0, -1));
    return out.map((value) => ({ ok: true as const, value }));
  };
}

/** One stream's version asked for. */
export interface PgVersionRead {
  readonly tenant: string;
  readonly streamId: string;
}

/** The flush of gathered version reads (what a stateful command asks first): one statement. */
export function pgVersionFlush(
  engine: PgEngine,
  q: string,
  one: string,
): FlushBatch<PgVersionRead, number> {
  const MANY = `SELECT (SELECT coalesce(max(version), 0) FROM ${q}.whizbang_events WHERE tenant = r.t AND stream_id = r.s) FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(t, s, n) ORDER BY r.n`;
  return async (items) => {
    const rows =
      items.length === 1
        ? await engine.query(one, [items[0]!.tenant, items[0]!.streamId])
        : await engine.query(MANY, [items.map((r) => r.tenant), items.map((r) => r.streamId)]);
    return items.map((_, i) => ({ ok: true as const, value: Number(rows[i]?.[0] ?? 0) }));
  };
}
