/**
 * The SQLite ledger: one row per event, `UNIQUE (tenant, stream_id, version)`, the global position
 * the row id. An append is one `BEGIN IMMEDIATE` transaction (so writers in other processes queue
 * behind it and the expected version is checked under the lock) that also holds the inline
 * perspectives' writes and the outbox rows. Other processes' commits are noticed through
 * `PRAGMA data_version`, polled only while someone watches.
 */
import { DEFAULT_TENANT } from '../../js/envelope.ts';
import { invalidArgument, WhizbangError } from '../../js/errors.ts';
import { uuidv7 } from '../../js/ids.ts';
import {
  type AppendOptions,
  type AppendResult,
  checkExpectedVersion,
  checkStreamId,
  type Ledger,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
} from '../../js/ledger.ts';
import { isThenable, type MaybePromise } from '../../js/maybe.ts';
import type { SqliteDatabase, SqliteStatement } from './engine.ts';
import type { Gate } from './gate.ts';
import type { SqliteStore } from './store.ts';

const COLUMNS =
  'position, tenant, stream_id, version, type, message_id, correlation_id, causation_id, time, data, metadata';

function toEvent(row: Record<string, unknown>): RecordedEvent {
  const messageId = row.message_id as string;
  return {
    kind: 'event',
    type: row.type as string,
    data: JSON.parse(row.data as string),
    streamId: row.stream_id as string,
    version: Number(row.version),
    position: Number(row.position),
    tenant: row.tenant as string,
    messageId,
    correlationId: row.correlation_id as string,
    causationId: row.causation_id as string,
    timestamp: Number(row.time),
    metadata: row.metadata === null ? undefined : JSON.parse(row.metadata as string),
  } as RecordedEvent;
}

function whole(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0)
    throw invalidArgument(`"${name}" must be a whole number ≥ 0, got ${value}.`);
  return value;
}

/** Options of the SQLite ledger. */
export interface SqliteLedgerOptions {
  /** How often other processes' commits are looked for while someone watches, ms (default 25). */
  readonly pollMs?: number;
  /** The largest JSON payload (data + metadata) an event may have, bytes (default 1 MiB). */
  readonly maxPayloadBytes?: number;
}

/** The SQLite ledger answers synchronously. */
export interface SqliteLedger extends Ledger {
  readStream(streamId: string, options?: ReadStreamOptions): RecordedEvent[];
  readAll(options?: ReadAllOptions): RecordedEvent[];
  streamVersion(streamId: string, options?: { readonly tenant?: string }): number;
  headPosition(): number;
  close(): void;
}

/** Creates the ledger over an open (migrated) database that `store` shares. */
export function sqliteLedger(
  db: SqliteDatabase,
  store: SqliteStore,
  gate: Gate,
  options: SqliteLedgerOptions = {},
): SqliteLedger {
  const pollMs = options.pollMs ?? 25;
  const maxPayload = options.maxPayloadBytes ?? 1024 * 1024;
  const cache = new Map<string, SqliteStatement>();
  const sql = (text: string): SqliteStatement => {
    let s = cache.get(text);
    if (s === undefined) {
      s = db.prepare(text);
      cache.set(text, s);
    }
    return s;
  };
  const versionOf = sql('SELECT version FROM whizbang_streams WHERE tenant = ? AND stream_id = ?');
  const upsertVersion = sql(
    'INSERT INTO whizbang_streams (tenant, stream_id, version) VALUES (?, ?, ?) ON CONFLICT (tenant, stream_id) DO UPDATE SET version = excluded.version',
  );
  const insert = sql(
    `INSERT INTO whizbang_events (position, tenant, stream_id, version, type, message_id, correlation_id, causation_id, time, data, metadata)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const head = sql('SELECT coalesce(max(position), 0) AS p FROM whizbang_events');
  const dataVersion = sql('PRAGMA data_version');

  const listeners = new Set<() => void>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let seen = 0;
  let scheduled = false;
  const notify = (): void => {
    scheduled = false;
    for (const listener of listeners) listener();
  };
  const soon = (): void => {
    if (!scheduled && listeners.size > 0) {
      scheduled = true;
      queueMicrotask(notify);
    }
  };
  const poll = (): void => {
    const v = Number(dataVersion.get()?.data_version ?? 0);
    if (v !== seen) {
      seen = v;
      soon();
    }
  };

  const append = (
    streamId: string,
    events: readonly NewEvent[],
    opts: AppendOptions = {},
  ): MaybePromise<AppendResult> => {
    checkStreamId(streamId);
    const tenant = opts.tenant ?? DEFAULT_TENANT;
    const expected = opts.expectedVersion === undefined ? 'any' : opts.expectedVersion;
    // encode before the transaction: bad input is refused with nothing begun
    const rows = events.map((e) => {
      const data = JSON.stringify(e.data ?? null);
      const metadata = e.metadata === undefined ? null : JSON.stringify(e.metadata);
      if (data.length + (metadata?.length ?? 0) > maxPayload) {
        throw new WhizbangError(
          'INVALID_ARGUMENT',
          `An event of type "${e.type}" for stream "${streamId}" is ${data.length + (metadata?.length ?? 0)} bytes as JSON, over the ${maxPayload}-byte limit. Store large content elsewhere and reference it; nothing was written.`,
        );
      }
      return { e, data, metadata };
    });
    return gate.run(() => {
      const version = Number(versionOf.get(tenant, streamId)?.version ?? 0);
      checkExpectedVersion(streamId, expected, version);
      let position = Number(head.get()?.p ?? 0);
      if (rows.length === 0) return { streamId, version, position, events: [] };
      const now = Date.now();
      const recorded: RecordedEvent[] = [];
      let v = version;
      for (const { e, data, metadata } of rows) {
        position++;
        v++;
        const messageId = e.messageId ?? uuidv7(now);
        const event = {
          kind: 'event',
          type: e.type,
          data: e.data,
          streamId,
          version: v,
          position,
          tenant,
          messageId,
          correlationId: e.correlationId ?? messageId,
          causationId: e.causationId ?? messageId,
          timestamp: e.timestamp ?? now,
          metadata: e.metadata,
        } as RecordedEvent;
        insert.run(
          position,
          tenant,
          streamId,
          v,
          e.type,
          messageId,
          event.correlationId,
          event.causationId,
          event.timestamp,
          data,
          metadata,
        );
        recorded.push(event);
      }
      upsertVersion.run(tenant, streamId, v);
      const result: AppendResult = { streamId, version: v, position, events: recorded };
      const work = opts.inTransaction?.(recorded, store.writer());
      if (isThenable(work)) return Promise.resolve(work).then(() => committed(result));
      return committed(result);
    });
  };

  // Listeners hear of the append once it is committed: the gate commits right after `work` returns.
  const committed = (result: AppendResult): AppendResult => {
    soon();
    return result;
  };

  return {
    append,
    readStream(streamId: string, opts: ReadStreamOptions = {}): RecordedEvent[] {
      checkStreamId(streamId);
      const from = Math.max(whole('from', opts.from, 1), 1);
      const to = whole('to', opts.to, Number.MAX_SAFE_INTEGER);
      const limit = whole('limit', opts.limit, Number.MAX_SAFE_INTEGER);
      return sql(
        `SELECT ${COLUMNS} FROM whizbang_events WHERE tenant = ? AND stream_id = ? AND version >= ? AND version <= ? ORDER BY version LIMIT ?`,
      )
        .all(opts.tenant ?? DEFAULT_TENANT, streamId, from, to, limit)
        .map(toEvent);
    },
    readAll(opts: ReadAllOptions = {}): RecordedEvent[] {
      const from = Math.max(whole('from', opts.from, 1), 1);
      const to = whole('to', opts.to, Number.MAX_SAFE_INTEGER);
      const limit = whole('limit', opts.limit, Number.MAX_SAFE_INTEGER);
      const where = ['position >= ?', 'position <= ?'];
      const params: unknown[] = [from, to];
      if (opts.tenant !== undefined) {
        where.push('tenant = ?');
        params.push(opts.tenant);
      }
      if (opts.types !== undefined) {
        if (opts.types.length === 0) return [];
        where.push(`type IN (${opts.types.map(() => '?').join(', ')})`);
        params.push(...opts.types);
      }
      params.push(limit);
      return sql(
        `SELECT ${COLUMNS} FROM whizbang_events WHERE ${where.join(' AND ')} ORDER BY position LIMIT ?`,
      )
        .all(...params)
        .map(toEvent);
    },
    streamVersion(streamId: string, opts: { readonly tenant?: string } = {}): number {
      checkStreamId(streamId);
      return Number(versionOf.get(opts.tenant ?? DEFAULT_TENANT, streamId)?.version ?? 0);
    },
    headPosition: (): number => Number(head.get()?.p ?? 0),
    watch(listener: () => void): () => void {
      listeners.add(listener);
      if (timer === undefined) {
        seen = Number(dataVersion.get()?.data_version ?? 0);
        timer = setInterval(poll, pollMs);
        (timer as { unref?: () => void }).unref?.();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer !== undefined) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
    close(): void {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      listeners.clear();
    },
  };
}
