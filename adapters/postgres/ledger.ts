/**
 * The PostgreSQL ledger: one row per event with a JSONB payload, `UNIQUE (tenant, stream_id,
 * version)`, and a `bigint` global position given under the schema's append lock, so positions are
 * gapless and committed in order: a subscriber that has read up to n never finds n - 1 later (the
 * out-of-order-commit trap of sequences). An append without inline work is one statement (one round
 * trip); with inline perspectives or outbox rows it is one transaction holding all of them.
 * Subscribers are woken by LISTEN/NOTIFY and, to be sure, by polling the head while they watch.
 */

import {
  allColumns,
  type BatchAppend,
  checkAppend,
  checkLogRead,
  checkStreamRead,
  fromAllRow,
  fromStreamRow,
  Gatherer,
  type GatherOptions,
  type Limits,
  limitsOf,
  streamColumns,
  Watchers,
  wholeOption,
} from '../../js/kit/mod.ts';
import {
  type AppendOptions,
  type AppendResult,
  type AsyncLedger,
  ConcurrencyError,
  DEFAULT_TENANT,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  WhizbangError,
} from '../../js/mod.ts';
import { pgAppendBatch, recordedEvents } from './batch.ts';
import type { PgConnection, PgEngine } from './engine.ts';
import { type PgPendingAppend, pgGroupFlush } from './group.ts';
import { type PgStreamRead, type PgVersionRead, pgReadFlush, pgVersionFlush } from './reads.ts';
import { encodeRows, expectedCode } from './rows.ts';
import type { SchemaNames } from './schema.ts';
import type { PgStore } from './store.ts';
import { MS } from './text.ts';

const asIs = (value: unknown): unknown => value; // JSONB arrives parsed

/** Options of the PostgreSQL ledger. */
export interface PgLedgerOptions {
  /**
   * How often the head is polled while someone watches, ms (default 1000): NOTIFY wakes
   * subscribers at once; the poll is there for notifications missed while reconnecting.
   */
  readonly pollMs?: number;
  /** The largest JSON payload (data + metadata) an event may have, bytes (default 1 MiB). */
  readonly maxPayloadBytes?: number;
  /**
   * What an append, a read or a lens query may hold (payload and id bytes, events per append,
   * query size); `DEFAULT_LIMITS` for what is not given (`maxPayloadBytes` above wins).
   */
  readonly limits?: Partial<Limits>;
  /**
   * Group commit (default on): appends made while a batch is being written go together in the
   * next one, one statement (or one transaction, with inline work) for all, each checked against
   * its own expected version. `false` writes each append on its own; an object tunes it.
   */
  readonly groupCommit?: boolean | GatherOptions;
  /**
   * Stream reads and stream versions asked for at the same time (stateful commands catching up on
   * their streams) go in one statement each (default true); `false` sends each on its own.
   */
  readonly gatherReads?: boolean;
}

/** The PostgreSQL ledger answers asynchronously. */
export interface PgLedger extends AsyncLedger {
  /**
   * Appends to several streams in one transaction, all or none, in order: one statement for the
   * whole batch, each append checked against its own expected version (a conflict rolls all back).
   */
  appendBatch(appends: readonly BatchAppend[]): Promise<AppendResult[]>;
  /** Closes it and lets go of what it holds. */
  close(): Promise<void>;
}

/** Creates the ledger over a migrated schema that `store` shares. */
export function pgLedger(
  engine: PgEngine,
  s: SchemaNames,
  store: PgStore,
  options: PgLedgerOptions = {},
): PgLedger {
  const { q } = s;
  const pollMs = options.pollMs ?? 1000;
  const limits = limitsOf(options.limits, options.maxPayloadBytes);
  const APPEND = `SELECT ok, version, "position" FROM ${q}.whizbang_append($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb[], $10::jsonb[])`;
  const HEAD = `SELECT coalesce(max(position), 0) FROM ${q}.whizbang_events`;
  const READ_STREAM = `SELECT ${streamColumns(MS('created_at'))} FROM ${q}.whizbang_events WHERE tenant = $1 AND stream_id = $2 AND version >= $3 AND version <= $4 ORDER BY version LIMIT $5`;
  const ALL_COLUMNS = allColumns(MS('created_at'));

  const listeners = new Watchers();
  let timer: ReturnType<typeof setInterval> | undefined;
  let unlisten: Promise<(() => Promise<void>) | undefined> | undefined;
  // the newest position watchers were told of; -1 until the first read of the head
  let seen = -1;
  let closed = false;
  const soon = (): void => listeners.soon();
  const heard = (position: number): void => {
    if (position > seen) {
      seen = position;
      soon();
    }
  };
  const head = async (): Promise<number> => Number((await engine.query(HEAD))[0]?.[0] ?? 0);
  const poll = (): void => {
    head().then(
      (p) => {
        if (seen === -1)
          seen = p; // where watching began: nothing to tell yet
        else heard(p);
      },
      () => {
        // the server is away: the next poll (or the reconnected LISTEN) tries again
      },
    );
  };

  const gather =
    options.groupCommit === false
      ? undefined
      : new Gatherer<PgPendingAppend, AppendResult>(pgGroupFlush(engine, store, q), {
          inFlight: 2,
          ...(options.groupCommit === true ? {} : options.groupCommit),
        });

  const VERSION = `SELECT coalesce(max(version), 0) FROM ${q}.whizbang_events WHERE tenant = $1 AND stream_id = $2`;
  const versions =
    options.gatherReads === false
      ? undefined
      : new Gatherer<PgVersionRead, number>(pgVersionFlush(engine, q, VERSION), { inFlight: 4 });
  const reads =
    options.gatherReads === false
      ? undefined
      : new Gatherer<PgStreamRead, unknown[][]>(pgReadFlush(engine, q, READ_STREAM), {
          inFlight: 4,
        });

  const append = async (
    streamId: string,
    events: readonly NewEvent[],
    opts: AppendOptions = {},
  ): Promise<AppendResult> => {
    checkAppend(streamId, events, opts, limits);
    const tenant = opts.tenant ?? DEFAULT_TENANT;
    const expected = opts.expectedVersion === undefined ? 'any' : opts.expectedVersion;
    const code = expectedCode(expected);
    // encoded before anything is sent: bad input is refused with nothing begun
    const rows = encodeRows(streamId, events, limits);
    const result = (row: unknown[] | undefined): AppendResult => {
      const version = Number(row?.[1] ?? 0);
      if (row?.[0] !== true) throw new ConcurrencyError(streamId, expected, version);
      const position = Number(row[2]);
      const out = recordedEvents(streamId, tenant, events, rows, version, position);
      return { streamId, version, position, events: out };
    };
    const inline = opts.inTransaction;
    const alone = async (): Promise<AppendResult> => {
      const { types, ids, correlations, causations, times, data, metadata } = rows;
      const params = [tenant, streamId, code, types, ids, correlations, causations, times, data];
      params.push(metadata);
      if (inline === undefined) return result((await engine.query(APPEND, params))[0]);
      return store.within(async (c: PgConnection, writer) => {
        const appended = result((await c.query(APPEND, params))[0]);
        if (appended.events.length > 0) await inline(appended.events, writer);
        return appended;
      });
    };
    const done =
      gather === undefined
        ? await alone()
        : await gather.push({ tenant, streamId, code, rows, inline, result, alone });
    // committed: this process's watchers hear at once, others by NOTIFY
    if (done.events.length > 0) heard(done.position);
    return done;
  };

  const readStream = async (
    streamId: string,
    opts: ReadStreamOptions = {},
  ): Promise<RecordedEvent[]> => {
    checkStreamRead(streamId, opts, limits);
    const from = Math.max(wholeOption('from', opts.from, 1), 1);
    const to = wholeOption('to', opts.to, Number.MAX_SAFE_INTEGER);
    const limit = wholeOption('limit', opts.limit, Number.MAX_SAFE_INTEGER);
    const tenant = opts.tenant ?? DEFAULT_TENANT;
    const rows =
      reads === undefined
        ? await engine.query(READ_STREAM, [tenant, streamId, from, to, limit])
        : await reads.push({ tenant, streamId, from, to, limit });
    const events = new Array<RecordedEvent>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      events[i] = fromStreamRow(rows[i]!, streamId, tenant, asIs);
    }
    return events;
  };

  const batch = pgAppendBatch(store, q, limits);

  return {
    append,
    async appendBatch(appends: readonly BatchAppend[]): Promise<AppendResult[]> {
      const results = await batch(appends);
      // committed: this process's watchers hear at once, others by NOTIFY
      const last = results.findLast((r) => r.events.length > 0);
      if (last !== undefined) heard(last.position);
      return results;
    },
    readStream,
    async readAll(opts: ReadAllOptions = {}): Promise<RecordedEvent[]> {
      checkLogRead(opts, limits);
      const from = Math.max(wholeOption('from', opts.from, 1), 1);
      const to = wholeOption('to', opts.to, Number.MAX_SAFE_INTEGER);
      const limit = wholeOption('limit', opts.limit, Number.MAX_SAFE_INTEGER);
      const types = opts.types;
      if (types !== undefined && types.length === 0) return [];
      const params: unknown[] = [from, to, limit];
      let where = '';
      if (opts.tenant !== undefined) {
        params.push(opts.tenant);
        where += ` AND tenant = $${params.length}`;
      }
      if (types !== undefined) {
        params.push(types);
        where += ` AND type = ANY($${params.length}::text[])`;
      }
      const rows = await engine.query(
        `SELECT ${ALL_COLUMNS} FROM ${q}.whizbang_events WHERE position >= $1 AND position <= $2${where} ORDER BY position LIMIT $3`,
        params,
      );
      const events = new Array<RecordedEvent>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        events[i] = fromAllRow(rows[i]!, asIs);
      }
      return events;
    },
    async streamVersion(
      streamId: string,
      opts: { readonly tenant?: string } = {},
    ): Promise<number> {
      checkStreamRead(streamId, opts, limits);
      const tenant = opts.tenant ?? DEFAULT_TENANT;
      if (versions !== undefined) return versions.push({ tenant, streamId });
      const rows = await engine.query(VERSION, [tenant, streamId]);
      return Number(rows[0]?.[0] ?? 0);
    },
    headPosition: head,
    watch(listener: () => void): () => void {
      if (closed) throw new WhizbangError('CLOSED', 'The PostgreSQL ledger is closed.');
      listeners.add(listener);
      if (timer === undefined) {
        seen = -1;
        poll(); // where watching begins; a subscriber reads what came before itself
        timer = setInterval(poll, pollMs);
        (timer as { unref?: () => void }).unref?.();
        unlisten = engine
          .listen(s.channel, (payload) => heard(Number(payload)), poll)
          .catch(() => undefined); // LISTEN unavailable (a pooler in transaction mode): polling still runs
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) stop();
      };
    },
    async close(): Promise<void> {
      closed = true;
      listeners.clear();
      await stop();
    },
  };

  async function stop(): Promise<void> {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    const pending = unlisten;
    unlisten = undefined;
    const off = await pending;
    await off?.();
  }
}
