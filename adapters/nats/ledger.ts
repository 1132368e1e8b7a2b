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
 * process are pipelined: each is published expecting the sequence and the commit id
 * (`Nats-Expected-Last-Msg-Id`) the one before it will get, so another writer's message in a
 * refused commit's place never satisfies it; an append naming a version while an earlier one to
 * its stream is in flight lands only on a state holding that one, and fails when it fails.
 *
 * The parts, in `./ledger/`: `log` (the JetStream stream, its subjects and tails), `predictions`
 * (the tails this process expects), `commit` (the commit format), `append` and `publish` (the
 * write), `scan` and `read` (the reads), `watch` (watchers); this file wires them together.
 */

import {
  checkAppend,
  checkLogRead,
  checkStreamRead,
  encodePayload,
  invalidArgument,
  type Limits,
  limitsOf,
} from '../../js/kit/mod.ts';
import {
  type AppendOptions,
  type AppendResult,
  type Ledger,
  type NewEvent,
  type PerspectiveStore,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  WhizbangError,
} from '../../js/mod.ts';
import { connectNats, type NatsConnectionLike, type NatsConnectOptions } from './connect.ts';
import { ensureStream, loadJetStream, natsName } from './jetstream.ts';
import { type AppendContext, append } from './ledger/append.ts';
import { type GroupRead, readGroups } from './ledger/groups.ts';
import { LedgerLog } from './ledger/log.ts';
import { Order } from './ledger/order.ts';
import { Predictions } from './ledger/predictions.ts';
import { readAll, readAllBatches, readStream, streamVersion } from './ledger/read.ts';
import { LedgerWatch } from './ledger/watch.ts';

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
  /**
   * What an append or a read may hold (payload and id bytes, events per append); `DEFAULT_LIMITS`
   * for what is not given.
   */
  readonly limits?: Partial<Limits>;
  /**
   * Told of each message on the ledger's subjects that is not a valid commit (a `MALFORMED_MESSAGE`
   * error): published by something else, damaged, or not going on from the commit before it.
   * Such a message is skipped by every read and never changes how positions are assigned.
   */
  readonly onError?: (error: WhizbangError) => void;
  /**
   * Stream groups (a scope finer than a tenant: a shared list and its items, say): the group of
   * a stream id, or `undefined` for a stream in no group. A grouped stream's commits go on
   * `<prefix>.<tenant>.<group>.<stream id>`, so one consumer reads a group. A stream's group must
   * never change, and every process writing or reading the log must be given the same function
   * (streams in no group keep the subjects they had: a log without groups reads as before).
   */
  readonly group?: (streamId: string) => string | undefined;
}

/** The JetStream ledger answers asynchronously. */
export interface JetStreamLedger extends Ledger {
  /** The NATS connection it uses (the v3 client's `NatsConnection`). */
  readonly connection: NatsConnectionLike;
  /** Appends `events` to a stream in one transaction, checking `options.expectedVersion` first. */
  append(
    streamId: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /** The events of one stream, in version order (`options.from`, `to`, `limit` narrow it). */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * Events of every stream by global position (`options` narrow it by position, tenant and type).
   */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** The events of every stream by global position, in batches (one JetStream fetch each). */
  readAllBatches(options?: {
    readonly from?: number;
    readonly batch?: number;
  }): AsyncIterable<RecordedEvent[]>;
  /** The version of a stream (0 when it has no event). */
  streamVersion(streamId: string, options?: { readonly tenant?: string }): Promise<number>;
  /** The global position of the last event appended (0 when there is none). */
  headPosition(): Promise<number>;
  /** The group of a stream (the `group` option), `undefined` for none. */
  groupOf(streamId: string): string | undefined;
  /**
   * The events of some groups of one tenant by position, from `from` on, at most `limit` (default
   * 1000): one consumer per group, merged.
   */
  readGroups(read: GroupRead): Promise<RecordedEvent[]>;
  /** Stops watching; closes the connection when the ledger opened it. */
  close(): Promise<void>;
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
  const limits = limitsOf(options.limits);
  const { connection: nc, owned } = await connectNats(options);
  const core = await import('@nats-io/nats-core');
  const { js, jsm } = await loadJetStream(nc);
  await ensureStream(jsm, {
    name,
    subjects: [`${prefix}.>`],
    allow_direct: true,
    ...(options.replicas === undefined ? {} : { num_replicas: options.replicas }),
  });
  const groupOf = options.group;
  if (groupOf !== undefined && typeof groupOf !== 'function') {
    throw invalidArgument('`group` must be a function of a stream id: (streamId) => group.');
  }
  const log = new LedgerLog(name, prefix, js, jsm, options.onError ?? (() => undefined), groupOf);
  const predictions = new Predictions(log);
  const watch = new LedgerWatch(log);
  let closed = false;
  const appending: AppendContext = {
    log,
    predictions,
    headers: () => core.headers(),
    store: options.store,
    closed: () => closed,
    heard: () => watch.heard(),
    order: new Order(),
  };

  return {
    connection: nc,
    append: async (streamId, events, opts) => {
      checkAppend(streamId, events, opts, limits);
      // the same refusals as every driver (size, depth, BigInt, U+0000), before anything is sent
      for (const event of events) encodePayload(streamId, event, limits);
      return append(appending, streamId, events, opts);
    },
    readStream: async (streamId, opts) => {
      checkStreamRead(streamId, opts, limits);
      return readStream(log, streamId, opts);
    },
    readAll: async (opts) => {
      checkLogRead(opts, limits);
      return readAll(log, opts);
    },
    readAllBatches: (opts) => readAllBatches(log, opts),
    streamVersion: async (streamId, opts) => {
      checkStreamRead(streamId, opts, limits);
      return streamVersion(log, streamId, opts);
    },
    headPosition: async () => (await log.loadTail()).last,
    groupOf: (streamId) => groupOf?.(streamId),
    readGroups: (read) => readGroups(log, read),

    watch(listener: () => void): () => void {
      if (closed) throw new WhizbangError('CLOSED', 'The JetStream ledger is closed.');
      return watch.add(listener);
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await watch.close();
      await predictions.settled();
      if (owned) await nc.close();
    },
  };
}
