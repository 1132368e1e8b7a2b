/**
 * The ledger's SQL, the same on every SQLite engine and on D1 (SQLite too): the stream's version,
 * the head, and the reads of one stream and of every stream with their parameters.
 */
import { allColumns, type ParseJson, streamColumns, wholeOption } from '../../js/kit/mod.ts';
import type { ReadAllOptions, ReadStreamOptions } from '../../js/mod.ts';

/** A JSON text column's value. */
export const parseText: ParseJson = (value: unknown): unknown => JSON.parse(value as string);

/** The version of a stream (tenant, stream id); no row when it has no event. */
export const STREAM_VERSION: string =
  'SELECT version FROM whizbang_streams WHERE tenant = ? AND stream_id = ?';

/** The global position of the last event, as `p` (0 when there is none). */
export const HEAD: string = 'SELECT coalesce(max(position), 0) AS p FROM whizbang_events';

/** The write of a stream's version (tenant, stream id, version). */
export const UPSERT_VERSION: string =
  'INSERT INTO whizbang_streams (tenant, stream_id, version) VALUES (?, ?, ?) ON CONFLICT (tenant, stream_id) DO UPDATE SET version = excluded.version';

/** The events of one stream (tenant, stream id, from, to, limit), rows of `streamColumns`. */
export const READ_STREAM: string = `SELECT ${streamColumns('time')} FROM whizbang_events WHERE tenant = ? AND stream_id = ? AND version >= ? AND version <= ? ORDER BY version LIMIT ?`;

/** The parameters of `READ_STREAM` for checked `options`. */
export function readStreamParams(
  streamId: string,
  options: ReadStreamOptions,
  tenant: string,
): unknown[] {
  const from = Math.max(wholeOption('from', options.from, 1), 1);
  const to = wholeOption('to', options.to, Number.MAX_SAFE_INTEGER);
  const limit = wholeOption('limit', options.limit, Number.MAX_SAFE_INTEGER);
  return [tenant, streamId, from, to, limit];
}

/** A read across streams: its SQL (rows of `allColumns`) and parameters. */
export interface ReadAllQuery {
  /** The select. */
  readonly sql: string;
  /** Its parameters. */
  readonly params: unknown[];
}

/** The read across streams for checked `options`; undefined when it can find nothing (no types). */
export function readAllQuery(options: ReadAllOptions): ReadAllQuery | undefined {
  const from = Math.max(wholeOption('from', options.from, 1), 1);
  const to = wholeOption('to', options.to, Number.MAX_SAFE_INTEGER);
  const limit = wholeOption('limit', options.limit, Number.MAX_SAFE_INTEGER);
  const types = options.types;
  if (types !== undefined && types.length === 0) return undefined;
  const params: unknown[] = [from, to];
  if (options.tenant !== undefined) params.push(options.tenant);
  if (types !== undefined) params.push(...types);
  params.push(limit);
  const sql =
    `SELECT ${allColumns('time')} FROM whizbang_events WHERE position >= ? AND position <= ?` +
    (options.tenant === undefined ? '' : ' AND tenant = ?') +
    (types === undefined ? '' : ` AND type IN (${types.map(() => '?').join(', ')})`) +
    ' ORDER BY position LIMIT ?';
  return { sql, params };
}
