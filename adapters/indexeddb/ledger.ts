/**
 * The IndexedDB ledger. An append is one read-write transaction: it adds the events, checks the
 * expected version and runs the inline work (perspectives, outbox, inbox) in the same
 * transaction. IndexedDB runs read-write transactions over the same stores one after another,
 * across tabs too, so two tabs appending to one stream with the same expected version cannot
 * both win.
 *
 * Reading the head position and the stream's version costs requests as dear as the write; so the
 * ledger remembers the last head and versions it saw and, when they settle the append, adds at
 * once. Positions are the key and versions a unique index, and neither is ever removed
 * (compaction keeps the record), so the first add lands only if the log and the stream are still
 * where they were seen; if another tab moved them, the add fails, nothing is kept, and the append
 * runs again reading them first.
 */

import { type BatchAppend, type Limits, limitsOf } from '../../js/kit/mod.ts';
import type { AppendOptions, AppendResult, AsyncLedger, NewEvent } from '../../js/mod.ts';
import { type Appending, append, replaceTail } from './append.ts';
import { appendBatch } from './append-batch.ts';
import type { Notifier } from './broadcast.ts';
import type { Connection } from './connection.ts';
import { eventReads } from './reads.ts';
import { Seen } from './seen.ts';
import type { SegmentParts } from './segment-open.ts';
import type { SegmentOptions } from './segments.ts';

/** Options of the IndexedDB ledger. */
export interface IndexedDbLedgerOptions {
  /** The largest JSON payload (data + metadata) an event may have, bytes of UTF-8 (default 1 MiB). */
  readonly maxPayloadBytes?: number;
  /**
   * What an append, a read or a lens query may hold (payload and id bytes, events per append,
   * query size); `DEFAULT_LIMITS` for what is not given (`maxPayloadBytes` above wins).
   */
  readonly limits?: Partial<Limits>;
  /**
   * Seal older events into segments of the binary format (`core-wasm/FORMAT.md`), one IndexedDB
   * record per segment, checked by the WebAssembly core (default false). Recent appends stay one
   * record per event, as without it; see the README's "Segments" section. Its code loads only
   * then, or when the database already holds segments: they are read and counted without the
   * option too, with no background sealing.
   */
  readonly segments?: boolean | SegmentOptions;
}

/** The IndexedDB ledger answers asynchronously. */
export interface IndexedDbLedger extends AsyncLedger {
  /**
   * Replaces a stream's events after version `after` with `events`, in one transaction (offline
   * sync's rebase).
   */
  replaceTail(
    streamId: string,
    after: number,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /** Several appends (to different streams) in one transaction, all or none, in order. */
  appendBatch(appends: readonly BatchAppend[]): Promise<AppendResult[]>;
}

/**
 * Creates the ledger over an open connection; `notifier` hears of every commit. `segments`, the
 * open segment store (loaded by the driver only when there is one), seals and reads the sealed part.
 */
export function indexedDbLedger(
  connection: Connection,
  notifier: Notifier,
  options: IndexedDbLedgerOptions = {},
  segments?: SegmentParts,
): IndexedDbLedger {
  const seen = new Seen(notifier);
  const ctx: Appending = {
    connection,
    seen,
    limits: limitsOf(options.limits, options.maxPayloadBytes),
    segments: segments?.sealed,
  };
  const learned = { version: seen.saw, head: seen.sawHead };
  const reads =
    segments === undefined
      ? eventReads(connection, learned, ctx.limits)
      : segments.reads(learned, ctx.limits);
  /** Once the sealed index is checked, writes; then tells the sealer of what committed. */
  const sealing = <T extends AppendResult | AppendResult[]>(write: () => Promise<T>): Promise<T> =>
    segments === undefined
      ? write()
      : (segments.gate.checked ? write() : segments.gate.ready().then(write)).then((r) => {
          for (const one of Array.isArray(r) ? r : [r]) segments.sealer.committed(one.events);
          return r;
        });
  return {
    append: (streamId: string, events: readonly NewEvent[], opts?: AppendOptions) =>
      sealing(() => append(ctx, streamId, events, opts)),
    replaceTail: (
      streamId: string,
      after: number,
      events: readonly NewEvent[],
      opts?: AppendOptions,
    ) => sealing(() => replaceTail(ctx, streamId, after, events, opts)),
    appendBatch: (appends: readonly BatchAppend[]) => sealing(() => appendBatch(ctx, appends)),
    readStream: reads.readStream,
    readAll: reads.readAll,
    streamVersion: reads.streamVersion,
    headPosition: reads.headPosition,
    watch: (listener: () => void): (() => void) => notifier.watch(listener),
  };
}
