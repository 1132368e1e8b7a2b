/**
 * The memory ledger: the log as records of the binary format in one core's memory, indexed by
 * position and by stream ({@link BinaryLog}); a read decodes only the events it returns.
 * Synchronous, so the dispatcher's fast path never awaits. Data and metadata are kept as JSON.
 */

import type {
  AppendOptions,
  AppendResult,
  ExpectedVersion,
  Ledger,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
} from '../contracts/ledger.ts';
import type { PerspectiveStore } from '../contracts/store.ts';
import { checkExpectedVersion } from '../kit/checks.ts';
import {
  checkAppend,
  checkLogRead,
  checkStreamRead,
  type Limits,
  limitsOf,
} from '../kit/limits.ts';
import { checkPayloadSize, payloadJson } from '../kit/payload.ts';
import { DEFAULT_TENANT } from '../messages/envelope.ts';
import { invalidArgument } from '../util/errors.ts';
import { uuidv7 } from '../util/ids.ts';
import { isThenable, type MaybePromise } from '../util/maybe.ts';
import { platform } from '../util/platform.ts';
import type { CoreFactory } from '../wasm/core.ts';
import { BinaryLog, type BinaryLogStats } from './binary-log.ts';
import { memoryStore } from './store.ts';

/** Options of {@link memoryLedger}. */
export interface MemoryLedgerOptions {
  /** The store that inline perspectives write to in the append's transaction. */
  readonly store?: PerspectiveStore;
  /**
   * The core the log lives in: the TypeScript twin (`jsCore`, the default) or a WebAssembly core
   * from `await loadWasmCore()`.
   */
  readonly core?: CoreFactory;
  /**
   * Starts from these segments of the binary format — what `segments()` of another memory ledger
   * returned, a file, a transport's batches. Checked and indexed on the way in: bytes that are not
   * a valid log (corrupt, or positions and versions that do not follow) throw `CorruptDataError`.
   */
  readonly segments?: readonly Uint8Array[];
  /** What an append or a read may hold (payload and id bytes, events per append…): `DEFAULT_LIMITS` otherwise. */
  readonly limits?: Partial<Limits>;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalidArgument(`"${name}" must be a whole number ≥ 0, got ${value}.`);
  }
  return value;
}

/** An append decided: its result and the JSON of each event's data and metadata, in pairs. */
interface Decided {
  readonly result: AppendResult;
  readonly json: readonly (string | undefined)[];
}

/** The memory ledger answers synchronously (until an append's inline work awaits). */
export interface MemoryLedger extends Ledger {
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
  /** The log as segments of the binary format (copies): what a transport or a file would carry. */
  segments(): Uint8Array[];
  /** Events held, bytes of their records, bytes of the core's memory. */
  stats(): BinaryLogStats;
}

/** Creates an empty in-memory ledger. Treat the events it returns as immutable. */
export function memoryLedger(options: MemoryLedgerOptions = {}): MemoryLedger {
  const store = options.store ?? memoryStore();
  const limits = limitsOf(options.limits);
  const log = new BinaryLog(options.core);
  for (const segment of options.segments ?? []) log.load(segment);
  const listeners = new Set<() => void>();
  let notifyScheduled = false;

  const notify = (): void => {
    notifyScheduled = false;
    for (const listener of listeners) listener();
  };

  const commit = (tenant: string, streamId: string, decided: Decided): void => {
    log.write(tenant, streamId, decided.result.events, decided.json);
    if (!notifyScheduled && listeners.size > 0) {
      notifyScheduled = true;
      platform.queueMicrotask(notify);
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
    checkAppend(streamId, events, opts, limits);
    if (pending !== undefined) return pending.then(() => append(streamId, events, opts));
    const tenant = opts.tenant ?? DEFAULT_TENANT;
    const expected = opts.expectedVersion === undefined ? 'any' : opts.expectedVersion;
    const inTransaction = opts.inTransaction;
    if (inTransaction === undefined) {
      const decided = record(tenant, streamId, events, expected);
      commit(tenant, streamId, decided);
      return decided.result;
    }
    const done = store.transaction((tx) => {
      const decided = record(tenant, streamId, events, expected);
      const result = decided.result;
      if (result.events.length === 0) return result;
      const work = inTransaction(result.events, tx);
      if (!isThenable(work)) {
        commit(tenant, streamId, decided);
        return result;
      }
      const committed = Promise.resolve(work).then(() => {
        commit(tenant, streamId, decided);
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
  ): Decided => {
    const version = log.version(tenant, streamId);
    checkExpectedVersion(streamId, expected, version);
    const head = log.head;
    if (events.length === 0)
      return { result: { streamId, version, position: head, events: [] }, json: [] };
    const now = Date.now();
    const recorded: RecordedEvent[] = new Array(events.length);
    // the JSON of each event's data and metadata, made now: bad data fails before anything commits
    const json: (string | undefined)[] = new Array(2 * events.length);
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const messageId = e.messageId ?? uuidv7(now);
      const event = {
        kind: 'event',
        type: e.type,
        data: e.data,
        streamId,
        version: version + i + 1,
        position: head + i + 1,
        tenant,
        messageId,
        correlationId: e.correlationId ?? messageId,
        causationId: e.causationId ?? messageId,
        timestamp: e.timestamp ?? now,
        metadata: e.metadata,
      } as RecordedEvent;
      recorded[i] = event;
      // no data is kept as null, as every driver keeps it
      const data = payloadJson(e.type, 'data', e.data, limits) ?? 'null';
      const metadata =
        e.metadata === undefined ? undefined : payloadJson(e.type, 'metadata', e.metadata, limits);
      checkPayloadSize(e.type, streamId, data, metadata, limits.maxPayloadBytes);
      json[2 * i] = data;
      json[2 * i + 1] = metadata;
    }
    const result: AppendResult = {
      streamId,
      version: version + events.length,
      position: head + events.length,
      events: recorded,
    };
    return { result, json };
  };

  return {
    append,

    readStream(streamId: string, opts: ReadStreamOptions = {}): RecordedEvent[] {
      checkStreamRead(streamId, opts, limits);
      const tenant = opts.tenant ?? DEFAULT_TENANT;
      const max = Number.MAX_SAFE_INTEGER;
      return log.readStream(
        tenant,
        streamId,
        Math.max(positive('from', opts.from, 1), 1),
        positive('to', opts.to, max),
        positive('limit', opts.limit, max),
      );
    },

    readAll(opts: ReadAllOptions = {}): RecordedEvent[] {
      checkLogRead(opts, limits);
      const max = Number.MAX_SAFE_INTEGER;
      return log.readAll(
        Math.max(positive('from', opts.from, 1), 1),
        positive('to', opts.to, max),
        positive('limit', opts.limit, max),
        opts.tenant,
        opts.types,
      );
    },

    streamVersion(streamId: string, opts: { readonly tenant?: string } = {}): number {
      checkStreamRead(streamId, opts, limits);
      return log.version(opts.tenant ?? DEFAULT_TENANT, streamId);
    },

    headPosition: (): number => log.head,

    segments: (): Uint8Array[] => log.segments(),

    stats: (): BinaryLogStats => log.stats(),

    watch(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
