/**
 * The JetStream ledger, the shared log: one message per commit (all events of one append) on the
 * subject `<prefix>.<tenant>.<stream>`, with the commit id as `Nats-Msg-Id` (the duplicate window
 * makes a retried publish safe) and `Nats-Expected-Last-Subject-Sequence` for the stream's
 * expected version: a stale expectation is refused by the server ("wrong last sequence").
 *
 * Positions: the Ledger numbers events 1, 2, 3… across all streams, while JetStream numbers
 * messages (commits). Each commit carries its first position in a header, computed from the
 * stream's last message, and is published with `Nats-Expected-Last-Sequence` so two writers can
 * never give out the same positions: the loser re-reads the tail and tries again. Appends from one
 * process are pipelined: each is published expecting the sequence the one before it will get.
 */

import type { JetStreamClient, JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import {
  checkExpectedVersion,
  checkStreamId,
  invalidArgument,
  Watchers,
  wholeOption,
} from '../../js/kit/mod.ts';
import {
  type AppendOptions,
  type AppendResult,
  DEFAULT_TENANT,
  type ExpectedVersion,
  type Ledger,
  type NewEvent,
  type PerspectiveStore,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  uuidv7,
  WhizbangError,
} from '../../js/mod.ts';
import {
  type CommitBody,
  H,
  type Placement,
  placement,
  recorded,
  type StoredEvent,
} from './commit.ts';
import { connectNats, type NatsConnectionLike, type NatsConnectOptions } from './connect.ts';
import { ensureStream, loadJetStream, natsName } from './jetstream.ts';
import { token, tokenNow } from './subjects.ts';

/** Options of {@link jetstreamLedger}. */
export interface JetStreamLedgerOptions extends NatsConnectOptions {
  /** The JetStream stream of the log (default `WHIZBANG_LEDGER`); made when missing. */
  readonly stream?: string;
  /** Subjects of the log: `<prefix>.<tenant>.<stream id>` (default `whizbang.ledger`). */
  readonly prefix?: string;
  /** Replicas of the stream when the ledger makes it (a cluster: 3). */
  readonly replicas?: number;
  /** Where `inTransaction` writes: the store runs the append's inline work, kept only if the commit lands. */
  readonly store?: PerspectiveStore;
}

/** The JetStream ledger answers asynchronously. */
export interface JetStreamLedger extends Ledger {
  /** The NATS connection it uses (the v3 client's `NatsConnection`). */
  readonly connection: NatsConnectionLike;
  append(
    streamId: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  readAllBatches(options?: {
    readonly from?: number;
    readonly batch?: number;
  }): AsyncIterable<RecordedEvent[]>;
  streamVersion(streamId: string, options?: { readonly tenant?: string }): Promise<number>;
  headPosition(): Promise<number>;
  /** Stops watching; closes the connection when the ledger opened it. */
  close(): Promise<void>;
}

/** The last commit of the log, or of one stream: its sequence and where it ends. */
interface Tail {
  readonly seq: number;
  /** The last position (log) or version (stream) it holds. */
  readonly last: number;
}

const WRONG_LAST_SEQUENCE = 10071;
/** Commits read one by one before a read switches to a consumer. */
const DIRECT_READS = 16;

function apiCode(error: unknown): number | undefined {
  const e = error as { code?: unknown; apiError?: () => { err_code?: number } } | null;
  if (typeof e?.apiError === 'function') return e.apiError().err_code;
  return undefined;
}

/** Throws INVALID_ARGUMENT for an expectedVersion of no known form. */
function checkShape(expected: ExpectedVersion): void {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  checkExpectedVersion('', expected, 0);
}

function retryable(error: unknown): boolean {
  const text = String((error as Error)?.message ?? error);
  return /timeout|no responders|disconnect|reconnect|503/i.test(text);
}

/** Connects and returns the ledger, making its stream when missing. */
export async function jetstreamLedger(
  options: JetStreamLedgerOptions = {},
): Promise<JetStreamLedger> {
  const name = natsName(options.stream ?? 'WHIZBANG_LEDGER', 'stream');
  const prefix = options.prefix ?? 'whizbang.ledger';
  if (!/^[^\s*>.]+(\.[^\s*>.]+)*$/.test(prefix)) {
    throw invalidArgument(
      `prefix ${JSON.stringify(prefix)} must be dot-separated tokens without wildcards or whitespace.`,
    );
  }
  const { connection: nc, owned } = await connectNats(options);
  const core = await import('@nats-io/nats-core');
  const { js, jsm }: { js: JetStreamClient; jsm: JetStreamManager } = await loadJetStream(nc);
  await ensureStream(jsm, {
    name,
    subjects: [`${prefix}.>`],
    allow_direct: true,
    ...(options.replicas === undefined ? {} : { num_replicas: options.replicas }),
  });
  const store = options.store;
  const encoder = new TextEncoder();
  const listeners = new Watchers();
  let closed = false;

  // Predictions: the log's tail and streams' tails including this process's publishes in flight.
  // The server's expectation headers keep them honest; a wrong one only costs a retry.
  let tail: Tail | undefined;
  let tailLoad: Promise<Tail> | undefined;
  const streams = new Map<string, Tail>();
  let epoch = 0;
  let inFlight = 0;
  let idle: Array<() => void> = [];
  let exclusive: Promise<void> | undefined;

  const get = (query: Parameters<JetStreamManager['streams']['getMessage']>[1]) =>
    jsm.streams.getMessage(name, query) as Promise<StoredMsg | null>;

  const subjectOf = (tenant: string, streamId: string): string | Promise<string> => {
    const t = tokenNow(tenant);
    const s = tokenNow(streamId);
    if (t !== undefined && s !== undefined) return `${prefix}.${t}.${s}`;
    return Promise.all([token(tenant), token(streamId)]).then(([a, b]) => `${prefix}.${a}.${b}`);
  };

  const loadTail = async (): Promise<Tail> => {
    const info = await jsm.streams.info(name);
    const seq = info.state.last_seq;
    if (seq === 0 || info.state.messages === 0) return { seq, last: 0 };
    const m = await get({ seq });
    if (m === null) return loadTail(); // purged meanwhile
    const at = placement(m.header, m.seq);
    return { seq, last: at.position + at.count - 1 };
  };

  const loadStream = async (subject: string): Promise<Tail> => {
    const m = await get({ last_by_subj: subject });
    if (m === null) return { seq: 0, last: 0 };
    const at = placement(m.header, m.seq);
    return { seq: m.seq, last: at.version + at.count - 1 };
  };

  const settled = (): Promise<void> =>
    inFlight === 0 ? Promise.resolve() : new Promise((resolve) => idle.push(resolve));

  const forget = (): void => {
    epoch++;
    tail = undefined;
    tailLoad = undefined;
    streams.clear();
  };

  const commitEvents = (
    streamId: string,
    tenant: string,
    events: readonly NewEvent[],
  ): { body: Uint8Array; stored: StoredEvent[] } => {
    const now = Date.now();
    const stored = events.map((e): StoredEvent => {
      if (typeof e?.type !== 'string' || e.type === '') {
        throw invalidArgument(
          `Every event needs a non-empty string type; got ${JSON.stringify(e?.type)} for stream "${streamId}".`,
        );
      }
      const id = e.messageId ?? uuidv7(now);
      return {
        type: e.type,
        data: e.data ?? null,
        id,
        at: e.timestamp ?? now,
        ...(e.correlationId === undefined || e.correlationId === id
          ? {}
          : { corr: e.correlationId }),
        ...(e.causationId === undefined || e.causationId === id ? {} : { caus: e.causationId }),
        ...(e.metadata === undefined ? {} : { meta: e.metadata }),
      };
    });
    const commit: CommitBody = { v: 1, stream: streamId, tenant, events: stored };
    let json: string;
    try {
      json = JSON.stringify(commit);
    } catch (error) {
      throw new WhizbangError(
        'INVALID_ARGUMENT',
        `The events for stream "${streamId}" cannot be stored as JSON (${(error as Error).message}); nothing was written.`,
        { cause: error },
      );
    }
    return { body: encoder.encode(json), stored };
  };

  const toRecorded = (
    streamId: string,
    tenant: string,
    events: readonly NewEvent[],
    stored: readonly StoredEvent[],
    at: Placement,
  ): RecordedEvent[] =>
    stored.map(
      (s, i) =>
        ({
          kind: 'event',
          type: s.type,
          data: events[i]!.data,
          streamId,
          version: at.version + i,
          position: at.position + i,
          tenant,
          messageId: s.id,
          correlationId: s.corr ?? s.id,
          causationId: s.caus ?? s.id,
          timestamp: s.at,
          metadata: events[i]!.metadata,
        }) as RecordedEvent,
    );

  const append = async (
    streamId: string,
    events: readonly NewEvent[],
    opts: AppendOptions = {},
  ): Promise<AppendResult> => {
    if (closed) throw new WhizbangError('CLOSED', 'The JetStream ledger is closed.');
    checkStreamId(streamId);
    const tenant = opts.tenant ?? DEFAULT_TENANT;
    if (typeof tenant !== 'string' || tenant === '') {
      throw invalidArgument(`A tenant must be a non-empty string, got ${JSON.stringify(tenant)}.`);
    }
    const expected = opts.expectedVersion === undefined ? 'any' : opts.expectedVersion;
    checkShape(expected);
    if (!Array.isArray(events)) throw invalidArgument('append needs an array of events.');
    const { body, stored } = commitEvents(streamId, tenant, events);
    const named = subjectOf(tenant, streamId);
    const subject = typeof named === 'string' ? named : await named;
    const inline = opts.inTransaction;
    if (inline !== undefined && store === undefined && events.length > 0) {
      throw invalidArgument(
        'This JetStream ledger has no store for inline work: pass `store` to jetstreamLedger (or use jetstreamDriver).',
      );
    }
    const commitId = opts.commitId ?? uuidv7();
    let confirmed = false;
    for (let round = 0; ; round++) {
      if (round > 1_000) {
        throw new WhizbangError(
          'UNAVAILABLE',
          `The append to "${streamId}" lost the race for the log's tail 1000 times; try again.`,
        );
      }
      while (exclusive !== undefined) await exclusive;
      // an empty append, or one decided on a prediction that failed, reads what the server has
      const fresh = confirmed || events.length === 0;
      if (fresh) {
        await settled();
        forget();
      }
      let state = streams.get(subject);
      if (state === undefined) {
        const loaded = await loadStream(subject);
        state = streams.get(subject) ?? loaded;
        streams.set(subject, state);
      }
      if (tail === undefined) {
        tailLoad ??= loadTail();
        const loaded = await tailLoad;
        tail ??= loaded;
        tailLoad = undefined;
      }
      if (exclusive !== undefined) continue;
      state = streams.get(subject) ?? state;
      const log: Tail = tail ?? (await loadTail());
      try {
        checkExpectedVersion(streamId, expected, state.last);
      } catch (error) {
        if (fresh) throw error;
        confirmed = true; // decided on a prediction: look at what the server has, then decide
        continue;
      }
      if (events.length === 0) {
        return { streamId, version: state.last, position: log.last, events: [] };
      }
      const at: Placement = {
        position: log.last + 1,
        version: state.last + 1,
        count: events.length,
      };
      const result = toRecorded(streamId, tenant, events, stored, at);
      const h = core.headers();
      h.set(H.position, String(at.position));
      h.set(H.version, String(at.version));
      h.set(H.count, String(at.count));
      const publish = (): Promise<{ seq: number; duplicate: boolean }> =>
        js.publish(subject, body, {
          msgID: commitId,
          headers: h,
          // both, whatever the expectation: the version and the position given here were read
          // at different moments, and the server checks each against what it holds
          expect: { lastSequence: log.seq, lastSubjectSequence: state.seq },
        });
      const previous = { log, state };
      tail = { seq: log.seq + 1, last: log.last + events.length };
      streams.set(subject, { seq: log.seq + 1, last: state.last + events.length });
      const mine = epoch;
      inFlight++;
      let release: (() => void) | undefined;
      if (inline !== undefined) exclusive = new Promise((resolve) => (release = resolve));
      try {
        const ack =
          inline === undefined
            ? await sent(publish)
            : await store!.transaction(async (tx) => {
                await inline(result, tx);
                return sent(publish);
              });
        if (ack.duplicate || ack.seq !== log.seq + 1) {
          // stored before (a retried publish): answer with what the log holds
          forget();
          const m = await get({ seq: ack.seq });
          const events = recorded(m!.data, placement(m!.header, ack.seq), ack.seq);
          heard();
          const last = events[events.length - 1]!;
          return { streamId, version: last.version, position: last.position, events };
        }
        heard();
        return {
          streamId,
          version: at.version + at.count - 1,
          position: at.position + at.count - 1,
          events: result,
        };
      } catch (error) {
        if (apiCode(error) === WRONG_LAST_SEQUENCE) {
          if (mine === epoch) forget();
          continue;
        }
        // nothing was published (inline work failed) or the outcome is unknown: start afresh
        if (mine === epoch) {
          if (inline !== undefined && inFlight === 1) {
            tail = previous.log;
            streams.set(subject, previous.state);
          } else forget();
        }
        throw error;
      } finally {
        if (--inFlight === 0) {
          const waiting = idle;
          idle = [];
          for (const wake of waiting) wake();
        }
        if (release !== undefined) {
          exclusive = undefined;
          release();
        }
      }
    }
  };

  /** Publishes, retrying a few times through a reconnect: the commit id makes a repeat harmless. */
  const sent = async <T>(publish: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await publish();
      } catch (error) {
        if (attempt >= 5 || !retryable(error) || closed) throw mapped(error);
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
    }
  };

  const mapped = (error: unknown): unknown => {
    if (apiCode(error) === WRONG_LAST_SEQUENCE) return error;
    const text = String((error as Error)?.message ?? error);
    if (/max.?payload/i.test(text)) {
      return new WhizbangError(
        'INVALID_ARGUMENT',
        `The commit is larger than the server's max_payload (${text}); store large content elsewhere and reference it. Nothing was written.`,
        { cause: error },
      );
    }
    if (retryable(error)) {
      return new WhizbangError(
        'UNAVAILABLE',
        `JetStream did not confirm the append (${text}); it may or may not have landed: read the stream before deciding again.`,
        { cause: error },
      );
    }
    return error;
  };

  /** Reads commits from `seq` on (of one subject when given), until `stop` says so or the end. */
  const scan = async (
    from: number,
    subject: string | undefined,
    visit: (m: { seq: number; data: Uint8Array; header: StoredMsg['header'] }) => boolean,
  ): Promise<void> => {
    let seq = from;
    for (let i = 0; i < DIRECT_READS; i++) {
      const m = await get(
        subject === undefined
          ? { seq }
          : ({ seq, next_by_subj: subject } as unknown as { seq: number }),
      );
      if (m === null) {
        if (subject !== undefined) return;
        // a gap (a deleted message) or the end
        const info = await jsm.streams.info(name);
        if (seq > info.state.last_seq) return;
        seq++;
        continue;
      }
      if (!visit(m)) return;
      seq = m.seq + 1;
    }
    const info = await jsm.streams.info(name);
    if (seq > info.state.last_seq) return;
    const consumer = await js.consumers.get(name, {
      opt_start_seq: seq,
      filter_subjects: subject ?? `${prefix}.>`,
    });
    const messages = await consumer.consume({ max_messages: 1024 });
    try {
      for await (const m of messages) {
        if (!visit({ seq: m.seq, data: m.data, header: m.headers! })) return;
        if (m.info.pending === 0) return;
      }
    } finally {
      await messages.close().catch(() => undefined);
      await consumer.delete().catch(() => undefined);
    }
  };

  /** The first sequence whose commit holds `position` or a later one (binary search on headers). */
  const seqOf = async (position: number): Promise<number | undefined> => {
    const info = await jsm.streams.info(name);
    let lo = info.state.first_seq;
    let hi = info.state.last_seq;
    if (info.state.messages === 0) return undefined;
    if (position <= 1) return lo;
    let found: number | undefined;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const m = await get({ seq: mid });
      if (m === null) return lo; // a gap: read from the low end
      const at = placement(m.header, mid);
      if (at.position + at.count - 1 >= position) {
        found = mid;
        hi = mid - 1;
      } else lo = mid + 1;
    }
    return found;
  };

  const heard = (): void => listeners.soon();
  let watching: { close(): Promise<void> } | undefined;
  const startWatching = async (): Promise<void> => {
    // from the commit after the tail seen now: a subscriber that reads the head after calling
    // watch() asks on the same connection after this, so nothing falls between the two
    const info = await jsm.streams.info(name);
    const consumer = await js.consumers.get(name, {
      opt_start_seq: info.state.last_seq + 1,
      headers_only: true,
    });
    const messages = await consumer.consume();
    watching = {
      async close() {
        await messages.close().catch(() => undefined);
        await consumer.delete().catch(() => undefined);
      },
    };
    void (async () => {
      for await (const _ of messages) heard();
    })().catch(() => undefined);
  };
  let watchStart: Promise<void> | undefined;
  const stopWatching = async (): Promise<void> => {
    const starting = watchStart;
    watchStart = undefined;
    await starting?.catch(() => undefined);
    const open = watching;
    watching = undefined;
    await open?.close();
  };

  return {
    connection: nc,
    append,

    async readStream(streamId: string, opts: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
      checkStreamId(streamId);
      const from = Math.max(wholeOption('from', opts.from, 1), 1);
      const to = wholeOption('to', opts.to, Number.MAX_SAFE_INTEGER);
      const limit = wholeOption('limit', opts.limit, Number.MAX_SAFE_INTEGER);
      const tenant = opts.tenant ?? DEFAULT_TENANT;
      const out: RecordedEvent[] = [];
      if (limit === 0 || from > to) return out;
      const subject = await subjectOf(tenant, streamId);
      const last = await get({ last_by_subj: subject });
      if (last === null) return out;
      await scan(0, subject, (m) => {
        const at = placement(m.header, m.seq);
        if (at.version + at.count - 1 >= from) {
          for (const e of recorded(m.data, at, m.seq)) {
            if (e.streamId !== streamId || e.tenant !== tenant) break; // another id, same token
            if (e.version < from) continue;
            if (e.version > to || out.length >= limit) return false;
            out.push(e);
          }
        }
        return m.seq < last.seq && out.length < limit && at.version + at.count - 1 < to;
      });
      return out;
    },

    async readAll(opts: ReadAllOptions = {}): Promise<RecordedEvent[]> {
      const from = Math.max(wholeOption('from', opts.from, 1), 1);
      const to = wholeOption('to', opts.to, Number.MAX_SAFE_INTEGER);
      const limit = wholeOption('limit', opts.limit, Number.MAX_SAFE_INTEGER);
      const types = opts.types === undefined ? undefined : new Set(opts.types);
      const out: RecordedEvent[] = [];
      if (limit === 0 || from > to || types?.size === 0) return out;
      const start = await seqOf(from);
      if (start === undefined) return out;
      await scan(start, undefined, (m) => {
        for (const e of recorded(m.data, placement(m.header, m.seq), m.seq)) {
          if (e.position < from) continue;
          if (e.position > to) return false;
          if (opts.tenant !== undefined && e.tenant !== opts.tenant) continue;
          if (types !== undefined && !types.has(e.type)) continue;
          out.push(e);
          if (out.length >= limit) return false;
        }
        return true;
      });
      return out;
    },

    async *readAllBatches(
      opts: { readonly from?: number; readonly batch?: number } = {},
    ): AsyncIterable<RecordedEvent[]> {
      const from = Math.max(wholeOption('from', opts.from, 1), 1);
      const size = Math.max(wholeOption('batch', opts.batch, 1000), 1);
      const start = await seqOf(from);
      if (start === undefined) return;
      // to the head as it is now: one ordered consumer over the whole range
      const last = (await jsm.streams.info(name)).state.last_seq;
      if (start > last) return;
      const consumer = await js.consumers.get(name, {
        opt_start_seq: start,
        filter_subjects: `${prefix}.>`,
      });
      const messages = await consumer.consume({
        max_messages: Math.min(Math.max(size, 256), 4096),
      });
      let batch: RecordedEvent[] = [];
      try {
        for await (const m of messages) {
          for (const e of recorded(m.data, placement(m.headers, m.seq), m.seq)) {
            if (e.position >= from) batch.push(e);
          }
          const done = m.seq >= last || m.info.pending === 0;
          if (batch.length >= size || done) {
            const full = batch;
            batch = [];
            if (full.length > 0) yield full;
          }
          if (done) return;
        }
      } finally {
        await messages.close().catch(() => undefined);
        await consumer.delete().catch(() => undefined);
      }
    },

    async streamVersion(
      streamId: string,
      opts: { readonly tenant?: string } = {},
    ): Promise<number> {
      checkStreamId(streamId);
      return (await loadStream(await subjectOf(opts.tenant ?? DEFAULT_TENANT, streamId))).last;
    },

    async headPosition(): Promise<number> {
      return (await loadTail()).last;
    },

    watch(listener: () => void): () => void {
      if (closed) throw new WhizbangError('CLOSED', 'The JetStream ledger is closed.');
      listeners.add(listener);
      watchStart ??= startWatching();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) void stopWatching();
      };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      listeners.clear();
      await stopWatching();
      await settled();
      if (owned) await nc.close();
    },
  };
}
