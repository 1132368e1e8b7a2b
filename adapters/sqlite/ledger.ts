/**
 * The SQLite ledger: one row per event, `UNIQUE (tenant, stream_id, version)`, the global position
 * the row id. An append is one `BEGIN IMMEDIATE` transaction (so writers in other processes queue
 * behind it and the expected version is checked under the lock) that also holds the inline
 * perspectives' writes and the outbox rows. Other processes' commits are noticed through
 * `PRAGMA data_version`, polled only while someone watches.
 */

import {
  type BatchAppend,
  checkAppend,
  checkEventCount,
  checkExpectedVersion,
  checkLogRead,
  checkStreamRead,
  type EncodedPayload,
  encodePayload,
  fromAllRow,
  fromStreamRow,
  Gatherer,
  type GatherOptions,
  invalidArgument,
  isThenable,
  type Limits,
  limitsOf,
  recordedEvent,
  stampEvent,
  Watchers,
  wholeOption,
} from '../../js/kit/mod.ts';
import {
  type AppendOptions,
  type AppendResult,
  DEFAULT_TENANT,
  type ExpectedVersion,
  type Ledger,
  type MaybePromise,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
} from '../../js/mod.ts';
import type { SqliteDatabase, SqliteStatement } from './engine.ts';
import type { Gate } from './gate.ts';
import { type SqlitePendingAppend, sqliteGroupFlush } from './group.ts';
import {
  HEAD,
  parseText,
  READ_STREAM,
  readAllQuery,
  readStreamParams,
  STREAM_VERSION,
  UPSERT_VERSION,
} from './reads.ts';
import type { SqliteStore } from './store.ts';

/** The rows of a query as arrays, in select-list order (through `values` where the engine has it). */
function valuesOf(statement: SqliteStatement, params: unknown[]): unknown[][] {
  return statement.values !== undefined
    ? statement.values(...params)
    : statement.all(...params).map((row) => Object.values(row));
}

/** Options of the SQLite ledger. */
export interface SqliteLedgerOptions {
  /** How often other processes' commits are looked for while someone watches, ms (default 25). */
  readonly pollMs?: number;
  /** The largest JSON payload (data + metadata) an event may have, bytes (default 1 MiB). */
  readonly maxPayloadBytes?: number;
  /**
   * What an append, a read or a lens query may hold (payload and id bytes, events per append,
   * query size); `DEFAULT_LIMITS` for what is not given (`maxPayloadBytes` above wins).
   */
  readonly limits?: Partial<Limits>;
  /**
   * Group commit (default off): appends made while a batch is written go together in the next
   * one, one transaction for all, each checked against its own expected version. An append then
   * answers with a promise (a microtask later at the least). `true` turns it on; an object tunes it.
   */
  readonly groupCommit?: boolean | GatherOptions;
}

/** The SQLite ledger answers synchronously. */
export interface SqliteLedger extends Ledger {
  /** The events of one stream, in version order (`options.from`, `to`, `limit` narrow it). */
  readStream(streamId: string, options?: ReadStreamOptions): RecordedEvent[];
  /**
   * Events of every stream by global position (`options` narrow it by position, tenant and type).
   */
  readAll(options?: ReadAllOptions): RecordedEvent[];
  /** The version of a stream (0 when it has no event). */
  streamVersion(streamId: string, options?: { readonly tenant?: string }): number;
  /** The global position of the last event appended (0 when there is none). */
  headPosition(): number;
  /** Closes it and lets go of what it holds. */
  close(): void;
  /**
   * Replaces a stream's events after version `after` with `events`, in one transaction (offline
   * sync's rebase).
   */
  replaceTail(
    streamId: string,
    after: number,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): MaybePromise<AppendResult>;
  /** Several appends (to different streams) in one transaction, all or none, in order. */
  appendBatch(appends: readonly BatchAppend[]): MaybePromise<AppendResult[]>;
}

/** Creates the ledger over an open (migrated) database that `store` shares. */
export function sqliteLedger(
  db: SqliteDatabase,
  store: SqliteStore,
  gate: Gate,
  options: SqliteLedgerOptions = {},
): SqliteLedger {
  const pollMs = options.pollMs ?? 25;
  const limits = limitsOf(options.limits, options.maxPayloadBytes);
  const cache = new Map<string, SqliteStatement>();
  const sql = (text: string): SqliteStatement => {
    let s = cache.get(text);
    if (s === undefined) {
      s = db.prepare(text);
      cache.set(text, s);
    }
    return s;
  };
  const versionOf = sql(STREAM_VERSION);
  const upsertVersion = sql(UPSERT_VERSION);
  const insert = sql(
    `INSERT INTO whizbang_events (tenant, stream_id, version, type, message_id, correlation_id, causation_id, time, data, metadata)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const head = sql(HEAD);
  const readStreamRows = sql(READ_STREAM);
  const dataVersion = sql('PRAGMA data_version');

  const listeners = new Watchers();
  let timer: ReturnType<typeof setInterval> | undefined;
  let seen = 0;
  const soon = (): void => listeners.soon();
  const poll = (): void => {
    let v: number;
    try {
      v = Number(dataVersion.get()?.data_version ?? 0);
    } catch {
      // the database was closed under the watchers (a caller-owned one): stop polling, and wake
      // them once, so their next read finds out (CLOSED) through their own error path
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      soon();
      return;
    }
    if (v !== seen) {
      seen = v;
      soon();
    }
  };

  const groupCommit = options.groupCommit ?? false;
  const gather =
    groupCommit === false
      ? undefined
      : new Gatherer<SqlitePendingAppend, AppendResult>(
          sqliteGroupFlush(gate, (a) =>
            write(a.streamId, a.tenant, a.expected, a.events, a.payloads, a.options),
          ),
          groupCommit === true ? {} : groupCommit,
        );

  const append = (
    streamId: string,
    events: readonly NewEvent[],
    opts: AppendOptions = {},
  ): MaybePromise<AppendResult> => {
    checkAppend(streamId, events, opts, limits);
    const tenant = opts.tenant ?? DEFAULT_TENANT;
    const expected = opts.expectedVersion === undefined ? 'any' : opts.expectedVersion;
    // encode before the transaction: bad input is refused with nothing begun
    const payloads = events.map((e) => encodePayload(streamId, e, limits));
    if (gather !== undefined)
      return gather.push({ streamId, tenant, expected, events, payloads, options: opts });
    return gate.run(() => write(streamId, tenant, expected, events, payloads, opts));
  };

  /** Adds the events inside the gate's transaction. */
  const write = (
    streamId: string,
    tenant: string,
    expected: ExpectedVersion,
    events: readonly NewEvent[],
    payloads: readonly EncodedPayload[],
    opts: AppendOptions,
  ): MaybePromise<AppendResult> => {
    {
      const version = Number(versionOf.get(tenant, streamId)?.version ?? 0);
      checkExpectedVersion(streamId, expected, version);
      if (events.length === 0)
        return { streamId, version, position: Number(head.get()?.p ?? 0), events: [] };
      const now = Date.now();
      const recorded: RecordedEvent[] = [];
      let position = 0;
      let v = version;
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        const { data, metadata } = payloads[i]!;
        v++;
        const stamp = stampEvent(e, now);
        // the position is the row id SQLite gives (max + 1 under this transaction's write lock)
        const done = insert.run(
          tenant,
          streamId,
          v,
          e.type,
          stamp.messageId,
          stamp.correlationId,
          stamp.causationId,
          stamp.timestamp,
          data,
          metadata,
        );
        position =
          done.lastInsertRowid === undefined
            ? Number(head.get()?.p ?? 0)
            : Number(done.lastInsertRowid);
        recorded.push(recordedEvent(e, streamId, tenant, v, position, stamp));
      }
      upsertVersion.run(tenant, streamId, v);
      const result: AppendResult = { streamId, version: v, position, events: recorded };
      const work = opts.inTransaction?.(recorded, store.writer());
      if (isThenable(work)) return Promise.resolve(work).then(() => committed(result));
      return committed(result);
    }
  };

  const cutTail = sql(
    'DELETE FROM whizbang_events WHERE tenant = ? AND stream_id = ? AND version > ?',
  );
  const replaceTail = (
    streamId: string,
    after: number,
    events: readonly NewEvent[],
    opts: AppendOptions = {},
  ): MaybePromise<AppendResult> => {
    checkAppend(streamId, events, opts, limits);
    const tenant = opts.tenant ?? DEFAULT_TENANT;
    const from = wholeOption('after', after, 0);
    const payloads = events.map((e) => encodePayload(streamId, e, limits));
    return gate.run(() => {
      const version = Number(versionOf.get(tenant, streamId)?.version ?? 0);
      if (from > version) {
        throw invalidArgument(
          `replaceTail after version ${from}: stream "${streamId}" is at version ${version}.`,
        );
      }
      cutTail.run(tenant, streamId, from);
      upsertVersion.run(tenant, streamId, from);
      return write(streamId, tenant, from, events, payloads, opts);
    });
  };

  // Listeners hear of the append once it is committed: the gate commits right after `work` returns.
  const committed = (result: AppendResult): AppendResult => {
    soon();
    return result;
  };

  const appendBatch = (appends: readonly BatchAppend[]): MaybePromise<AppendResult[]> => {
    checkEventCount(
      appends.reduce((n: number, a: BatchAppend) => n + (a?.events?.length ?? 0), 0),
      limits,
    );
    const prepared = appends.map((a) => {
      checkAppend(a.streamId, a.events, a.options, limits);
      const opts = a.options ?? {};
      return {
        a,
        opts,
        tenant: opts.tenant ?? DEFAULT_TENANT,
        expected: opts.expectedVersion ?? ('any' as const),
        payloads: a.events.map((e) => encodePayload(a.streamId, e, limits)),
      };
    });
    return gate.run(() => {
      const results: AppendResult[] = [];
      const next = (i: number): MaybePromise<AppendResult[]> => {
        for (; i < prepared.length; i++) {
          const p = prepared[i]!;
          const r = write(p.a.streamId, p.tenant, p.expected, p.a.events, p.payloads, p.opts);
          if (isThenable<AppendResult>(r)) {
            const at = i;
            return Promise.resolve(r).then((done) => {
              results.push(done);
              return next(at + 1);
            });
          }
          results.push(r);
        }
        return results;
      };
      return next(0);
    });
  };

  return {
    append,
    replaceTail,
    appendBatch,
    readStream(streamId: string, opts: ReadStreamOptions = {}): RecordedEvent[] {
      checkStreamRead(streamId, opts, limits);
      const tenant = opts.tenant ?? DEFAULT_TENANT;
      const rows = valuesOf(readStreamRows, readStreamParams(streamId, opts, tenant));
      const events = new Array<RecordedEvent>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        events[i] = fromStreamRow(rows[i]!, streamId, tenant, parseText);
      }
      return events;
    },
    readAll(opts: ReadAllOptions = {}): RecordedEvent[] {
      checkLogRead(opts, limits);
      const query = readAllQuery(opts);
      if (query === undefined) return [];
      const rows = valuesOf(sql(query.sql), query.params);
      const events = new Array<RecordedEvent>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        events[i] = fromAllRow(rows[i]!, parseText);
      }
      return events;
    },
    streamVersion(streamId: string, opts: { readonly tenant?: string } = {}): number {
      checkStreamRead(streamId, opts, limits);
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
