/**
 * The memory ledger: the whole log in one array (index = position - 1) plus an index of streams.
 * Synchronous, so the dispatcher's fast path never awaits.
 */
import { DEFAULT_TENANT } from '../envelope.ts';
import { invalidArgument } from '../errors.ts';
import { uuidv7 } from '../ids.ts';
import {
  type AppendOptions,
  type AppendResult,
  checkExpectedVersion,
  checkStreamId,
  type ExpectedVersion,
  type Ledger,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
} from '../ledger.ts';
import { isThenable, type MaybePromise } from '../maybe.ts';
import type { PerspectiveStore } from '../store.ts';
import { memoryStore } from './store.ts';

/** Options of {@link memoryLedger}. */
export interface MemoryLedgerOptions {
  /** The store that inline perspectives write to in the append's transaction. */
  readonly store?: PerspectiveStore;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalidArgument(`"${name}" must be a whole number ≥ 0, got ${value}.`);
  }
  return value;
}

/** The memory ledger answers synchronously (until an append's inline work awaits). */
export interface MemoryLedger extends Ledger {
  readStream(streamId: string, options?: ReadStreamOptions): RecordedEvent[];
  readAll(options?: ReadAllOptions): RecordedEvent[];
  streamVersion(streamId: string, options?: { readonly tenant?: string }): number;
  headPosition(): number;
}

/** Creates an empty in-memory ledger. Treat the events it returns as immutable. */
export function memoryLedger(options: MemoryLedgerOptions = {}): MemoryLedger {
  const store = options.store ?? memoryStore();
  const log: RecordedEvent[] = [];
  const tenants = new Map<string, Map<string, RecordedEvent[]>>();
  const listeners = new Set<() => void>();
  let notifyScheduled = false;

  const notify = (): void => {
    notifyScheduled = false;
    for (const listener of listeners) listener();
  };
  const streamOf = (tenant: string, streamId: string): RecordedEvent[] | undefined =>
    tenants.get(tenant)?.get(streamId);

  const commit = (tenant: string, streamId: string, recorded: RecordedEvent[]): void => {
    let streams = tenants.get(tenant);
    if (streams === undefined) {
      streams = new Map();
      tenants.set(tenant, streams);
    }
    let stream = streams.get(streamId);
    if (stream === undefined) {
      stream = [];
      streams.set(streamId, stream);
    }
    for (const event of recorded) {
      stream.push(event);
      log.push(event);
    }
    if (!notifyScheduled && listeners.size > 0) {
      notifyScheduled = true;
      queueMicrotask(notify);
    }
  };

  // Set while an append's inline work awaits: other appends queue behind it, so positions and
  // versions computed inside a transaction are still true when it commits.
  let pending: Promise<unknown> | undefined;

  const append = (
    streamId: string,
    events: readonly NewEvent[],
    opts: AppendOptions = {},
  ): MaybePromise<AppendResult> => {
    checkStreamId(streamId);
    if (pending !== undefined) return pending.then(() => append(streamId, events, opts));
    const tenant = opts.tenant ?? DEFAULT_TENANT;
    const expected = opts.expectedVersion === undefined ? 'any' : opts.expectedVersion;
    const inTransaction = opts.inTransaction;
    if (inTransaction === undefined) {
      const result = record(tenant, streamId, events, expected);
      commit(tenant, streamId, result.events as RecordedEvent[]);
      return result;
    }
    const done = store.transaction((tx) => {
      const result = record(tenant, streamId, events, expected);
      if (result.events.length === 0) return result;
      const work = inTransaction(result.events, tx);
      if (!isThenable(work)) {
        commit(tenant, streamId, result.events as RecordedEvent[]);
        return result;
      }
      const committed = Promise.resolve(work).then(() => {
        commit(tenant, streamId, result.events as RecordedEvent[]);
        return result;
      });
      const gate: Promise<unknown> = committed.then(
        () => undefined,
        () => undefined,
      );
      pending = gate;
      void gate.then(() => {
        if (pending === gate) pending = undefined;
      });
      return committed;
    });
    return done;
  };

  /** Checks the expected version and gives the events their identity, positions and versions. */
  const record = (
    tenant: string,
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedVersion,
  ): AppendResult => {
    const version = streamOf(tenant, streamId)?.length ?? 0;
    checkExpectedVersion(streamId, expected, version);
    if (events.length === 0) return { streamId, version, position: log.length, events: [] };
    const now = Date.now();
    const recorded: RecordedEvent[] = new Array(events.length);
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const messageId = e.messageId ?? uuidv7(now);
      recorded[i] = {
        kind: 'event',
        type: e.type,
        data: e.data,
        streamId,
        version: version + i + 1,
        position: log.length + i + 1,
        tenant,
        messageId,
        correlationId: e.correlationId ?? messageId,
        causationId: e.causationId ?? messageId,
        timestamp: e.timestamp ?? now,
        metadata: e.metadata,
      } as RecordedEvent;
    }
    return {
      streamId,
      version: version + events.length,
      position: log.length + events.length,
      events: recorded,
    };
  };

  return {
    append,

    readStream(streamId: string, opts: ReadStreamOptions = {}): RecordedEvent[] {
      checkStreamId(streamId);
      const stream = streamOf(opts.tenant ?? DEFAULT_TENANT, streamId);
      if (stream === undefined) return [];
      const from = Math.max(positive('from', opts.from, 1), 1);
      const to = Math.min(positive('to', opts.to, stream.length), stream.length);
      const end = Math.min(to, from - 1 + positive('limit', opts.limit, stream.length));
      return stream.slice(from - 1, end);
    },

    readAll(opts: ReadAllOptions = {}): RecordedEvent[] {
      const from = Math.max(positive('from', opts.from, 1), 1);
      const to = Math.min(positive('to', opts.to, log.length), log.length);
      const limit = positive('limit', opts.limit, Number.MAX_SAFE_INTEGER);
      const { tenant, types } = opts;
      if (tenant === undefined && types === undefined)
        return log.slice(from - 1, Math.min(to, from - 1 + limit));
      const typeSet = types ? new Set(types) : undefined;
      const out: RecordedEvent[] = [];
      for (let i = from - 1; i < to && out.length < limit; i++) {
        const e = log[i]!;
        if (
          (tenant === undefined || e.tenant === tenant) &&
          (typeSet === undefined || typeSet.has(e.type))
        )
          out.push(e);
      }
      return out;
    },

    streamVersion(streamId: string, opts: { readonly tenant?: string } = {}): number {
      checkStreamId(streamId);
      return streamOf(opts.tenant ?? DEFAULT_TENANT, streamId)?.length ?? 0;
    },

    headPosition: (): number => log.length,

    watch(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
