/**
 * The trace store: an observer that keeps a plain JSON record of every handled message and the
 * events it appended, and answers "what happened because of this?" (`chain`), "what touched this
 * stream?" (`byStream`) and "what happened then?" (`between`). Memory is bounded: past `capacity`
 * correlations, the least recently active one is dropped whole.
 *
 * Queries take an optional tenant: with one, only that tenant's messages come back; without, every
 * tenant's (an operator's view).
 *
 * @example
 * ```ts
 * const trace = traceStore();
 * const bank = createBank({ observers: [trace] });
 * const receipt = await bank.send(Transfer({ transferId: 't-1', from: 'bob', to: 'ada', amount: 5 }));
 * console.log(toText(trace.chain(receipt.correlationId)!));
 * ```
 * @module
 */

import type { Dispatched, Observer } from '../contracts/observer.ts';
import { invalidArgument } from '../util/errors.ts';
import { type Redaction, toTracedEnvelope } from './record.ts';
import { buildTree, type Entry } from './tree.ts';
import type { TracedEnvelope, TraceTree } from './types.ts';

/** Options of {@link traceStore}. */
export interface TraceStoreOptions {
  /** How many correlations to keep; past it the least recently active is dropped (default 1000). */
  readonly capacity?: number;
  /**
   * How many messages to keep per correlation; past it its oldest are dropped (default 10 000).
   * Bounds memory when one conversation (a long-lived saga) never ends.
   */
  readonly perCorrelation?: number;
  /**
   * Personal data in the trace. By default a message's protected fields (those its definition
   * declares with `protect`) are recorded as `'[redacted]'`, in its data and in its error's text.
   * A function is applied to each message besides, to mask more; `false` records messages as sent,
   * protected fields in clear (a development choice: the trace then holds personal data).
   */
  readonly redact?: Redaction;
}

/** An observer that records what the runtime dispatched, and queries over what it recorded. */
export interface TraceStore extends Observer {
  /** Records a handled message (the app calls it as an observer). */
  onDispatched(dispatched: Dispatched): void;
  /** The causal tree of a correlation, or `undefined` when nothing of it is kept (for that tenant). */
  chain(correlationId: string, tenant?: string): TraceTree | undefined;
  /** Messages that touched a stream (appended to it, or addressed it), oldest first. */
  byStream(streamId: string, tenant?: string): TracedEnvelope[];
  /** Messages created from `fromMs` to `toMs` (epoch milliseconds, both included), oldest first. */
  between(fromMs: number, toMs: number, tenant?: string): TracedEnvelope[];
  /** How many messages are kept. */
  readonly size: number;
  /** Forgets everything. */
  clear(): void;
}

/** A correlation's messages by id, in arrival order. */
type Correlation = Map<string, Entry>;

function whole(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw invalidArgument(`traceStore: "${name}" must be a whole number ≥ 1, got ${value}.`);
  }
  return value;
}

/** Streams a recorded envelope touched. */
function streamsOf(env: TracedEnvelope): Set<string> {
  const streams = new Set<string>();
  if (env.streamId !== null) streams.add(env.streamId);
  for (const h of env.hops) if (h.streamId !== null) streams.add(h.streamId);
  for (const e of env.events) streams.add(e.streamId);
  return streams;
}

/** Oldest first: creation time, then the first position written, then arrival. */
function chronological(a: Entry, b: Entry): number {
  const first = (e: Entry): number => e.envelope.events[0]?.position ?? Number.MAX_SAFE_INTEGER;
  return a.envelope.timestamp - b.envelope.timestamp || first(a) - first(b) || a.seq - b.seq;
}

/**
 * Creates a trace store. Pass it to `build({ observers: [store] })`.
 * @example
 * const trace = traceStore({ capacity: 500 });
 * const app = whizbang('bank').receptor(deposit).build({ observers: [trace] });
 */
export function traceStore(options: TraceStoreOptions = {}): TraceStore {
  const capacity = whole('capacity', options.capacity, 1000);
  const perCorrelation = whole('perCorrelation', options.perCorrelation, 10_000);
  const correlations = new Map<string, Correlation>();
  /** tenant -> stream -> entries that touched it. */
  const streams = new Map<string, Map<string, Set<Entry>>>();
  let seq = 0;
  let size = 0;

  const index = (entry: Entry, add: boolean): void => {
    const { tenant } = entry.envelope;
    let byStream = streams.get(tenant);
    if (byStream === undefined) {
      if (!add) return;
      byStream = new Map();
      streams.set(tenant, byStream);
    }
    for (const streamId of streamsOf(entry.envelope)) {
      const set = byStream.get(streamId);
      if (add) {
        if (set === undefined) byStream.set(streamId, new Set([entry]));
        else set.add(entry);
      } else if (set !== undefined) {
        set.delete(entry);
        if (set.size === 0) byStream.delete(streamId);
      }
    }
    if (byStream.size === 0) streams.delete(tenant);
  };

  const remove = (correlation: Correlation, entry: Entry): void => {
    correlation.delete(entry.envelope.messageId);
    index(entry, false);
    size--;
  };

  const record = (envelope: TracedEnvelope): void => {
    const id = envelope.correlationId;
    let correlation = correlations.get(id);
    if (correlation === undefined) correlation = new Map();
    else correlations.delete(id); // re-inserted below: the Map's order is least recently active first
    correlations.set(id, correlation);
    const previous = correlation.get(envelope.messageId);
    // The same message handled again (a redelivery, a retry by id): the latest attempt is the truth.
    if (previous !== undefined) remove(correlation, previous);
    const entry: Entry = { seq: seq++, envelope };
    correlation.set(envelope.messageId, entry);
    index(entry, true);
    size++;
    if (correlation.size > perCorrelation) remove(correlation, correlation.values().next().value!);
    while (correlations.size > capacity) {
      const [oldestId, oldest] = correlations.entries().next().value!;
      for (const e of oldest.values()) index(e, false);
      size -= oldest.size;
      correlations.delete(oldestId);
    }
  };

  const all = function* (tenant: string | undefined): Generator<Entry> {
    for (const correlation of correlations.values())
      for (const entry of correlation.values())
        if (tenant === undefined || entry.envelope.tenant === tenant) yield entry;
  };

  return {
    onDispatched(dispatched: Dispatched): void {
      record(toTracedEnvelope(dispatched, options.redact));
    },

    chain(correlationId: string, tenant?: string): TraceTree | undefined {
      const correlation = correlations.get(correlationId);
      if (correlation === undefined) return undefined;
      const entries = [...correlation.values()].filter(
        (e) => tenant === undefined || e.envelope.tenant === tenant,
      );
      return buildTree(correlationId, entries);
    },

    byStream(streamId: string, tenant?: string): TracedEnvelope[] {
      const found: Entry[] = [];
      for (const [t, byStream] of streams) {
        if (tenant !== undefined && t !== tenant) continue;
        const set = byStream.get(streamId);
        if (set !== undefined) found.push(...set);
      }
      return found.sort(chronological).map((e) => e.envelope);
    },

    between(fromMs: number, toMs: number, tenant?: string): TracedEnvelope[] {
      const found: Entry[] = [];
      for (const entry of all(tenant)) {
        const t = entry.envelope.timestamp;
        if (t >= fromMs && t <= toMs) found.push(entry);
      }
      return found.sort(chronological).map((e) => e.envelope);
    },

    get size(): number {
      return size;
    },

    clear(): void {
      correlations.clear();
      streams.clear();
      size = 0;
    },
  };
}
