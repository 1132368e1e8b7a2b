/**
 * The segment store's shared parts: what the `segments` and `sealed` object stores hold, and the
 * sealed segments' decoding. A segment is checked by the core (lengths, CRC32C, hashes, UTF-8,
 * JSON) before any of its records is read, then against its own record (first position, count,
 * positions in order): bad bytes are a `CorruptDataError` with the offset, never skipped.
 * Sealed segments never change, so the last few decoded stay in memory.
 */

import { CorruptDataError, isCorruptDataError, type RecordedEvent } from '../../js/mod.ts';
import type { Core, CoreFactory, WireRecord } from '../../js/wasm/mod.ts';

/** Options of the segment store (`indexedDbDriver({ segments: { … } })`). */
export interface SegmentOptions {
  /** Events per segment (default 1024): sealing waits until this many recent events are there. */
  readonly size?: number;
  /**
   * The core that checks and indexes segments (default: the WebAssembly core of
   * `whizbang/wasm`, `loadWasmCoreSync()`); pass `jsCore` for its TypeScript twin.
   */
  readonly core?: CoreFactory;
  /** Seal in the background after appends (default true); false: only `driver.segments.seal()`. */
  readonly background?: boolean;
}

/** The `sealed` store's `'head'` record: how far the log is sealed. */
export interface SealedHead {
  /** The last sealed position (0: nothing sealed). */
  readonly through: number;
  /** How many segments there are. */
  readonly segments: number;
  /** How many events they hold. */
  readonly events: number;
  /** Counts unseals (and rebuilds): a segment key may then hold other bytes than before. */
  readonly generation?: number;
}

/** A stream's entry in the `sealed` store: its last sealed version and the segments holding it. */
export interface StreamEntry {
  readonly version: number;
  /** First positions (keys) of the segments that hold its events, ascending. */
  readonly segs: readonly number[];
}

/** A record of the `segments` store (keyed by `first`). */
export interface SegmentRecord {
  readonly first: number;
  readonly last: number;
  readonly count: number;
  /** One segment of the binary format. */
  readonly bytes: Uint8Array;
}

/** The key of the head record in the `sealed` store. */
export const HEAD_KEY = 'head';
/** The key of a stream's entry in the `sealed` store. */
export const entryKey = (tenant: string, streamId: string): IDBValidKey => ['s', tenant, streamId];
/** Every stream entry's key sorts between these. */
export const ENTRY_RANGE: readonly [IDBValidKey, IDBValidKey] = [['s'], ['s', []]];
/** Nothing sealed yet. */
export const NO_HEAD: SealedHead = { through: 0, segments: 0, events: 0 };

/** The metadata a compacted event carries in a segment (its payload is gone): reads skip it. */
export const COMPACTED = 'whizbang.compacted';

/** True when a sealed event was compacted before it was sealed. */
export const isCompacted = (e: RecordedEvent): boolean =>
  e.metadata !== undefined && (e.metadata as Record<string, unknown>)[COMPACTED] === true;

const CACHED = 8;

/** The sealed part's decoder: one core, and the last segments decoded. */
export class SegmentCodec {
  readonly core: Core;
  readonly size: number;
  readonly background: boolean;
  readonly encode: Encode;
  readonly #decode: Decode;
  readonly #name: string;
  readonly #cache = new Map<number, readonly RecordedEvent[]>();
  #generation = 0;

  constructor(name: string, wasm: WasmParts, options: SegmentOptions) {
    this.#name = name;
    this.core = (options.core ?? wasm.factory).create();
    this.encode = wasm.encodeSegment;
    this.#decode = wasm.decodeSegments;
    this.size = options.size ?? 1024;
    this.background = options.background ?? true;
  }

  /** The segment decoded lately that holds `position`, if any (valid after `sync`). */
  covering(position: number): readonly RecordedEvent[] | undefined {
    for (const events of this.#cache.values())
      if (events[0]!.position <= position && events[events.length - 1]!.position >= position)
        return events;
    return undefined;
  }

  /** The events of segment `key` if decoded lately. */
  cached(key: number): readonly RecordedEvent[] | undefined {
    return this.#cache.get(key);
  }

  /** The events of a segment record, checked; corrupt bytes throw `CorruptDataError`. */
  decode(key: number, record: SegmentRecord | undefined): readonly RecordedEvent[] {
    const known = this.#cache.get(key);
    if (known !== undefined) {
      this.#cache.delete(key);
      this.#cache.set(key, known);
      return known;
    }
    const events = this.#check(key, record);
    if (this.#cache.size >= CACHED) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, events);
    return events;
  }

  /** Forgets what was decoded (after the index was rebuilt, or segments unsealed). */
  forget(): void {
    this.#cache.clear();
  }

  /** The head read now says `generation`: what was decoded under another is forgotten. */
  sync(head: SealedHead): void {
    const generation = head.generation ?? 0;
    if (generation !== this.#generation) {
      this.#cache.clear();
      this.#generation = generation;
    }
  }

  #check(key: number, record: SegmentRecord | undefined): RecordedEvent[] {
    const where = `the segment at position ${key} of IndexedDB database "${this.#name}"`;
    const bytes = record?.bytes;
    if (!(bytes instanceof Uint8Array))
      throw new CorruptDataError('truncated', 0, `${where} holds no bytes`);
    let events: RecordedEvent[];
    try {
      events = this.#decode(bytes, { core: this.core }) as RecordedEvent[];
    } catch (error) {
      if (!isCorruptDataError(error)) throw error;
      throw new CorruptDataError(error.reason, error.offset, where, { cause: error });
    }
    // the record must agree with its bytes: count, first position, positions in order
    if (events.length !== record!.count || events.length === 0)
      throw new CorruptDataError(
        'bad-length',
        8,
        `${where}: ${events.length} records, not ${record!.count}`,
      );
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 20;
    let previous = key - 1;
    for (const e of events) {
      if (e.position <= previous || e.kind !== 'event' || e.streamId === undefined)
        throw new CorruptDataError(
          'out-of-range',
          offset + 24,
          `${where}: position ${e.position} after ${previous}`,
        );
      previous = e.position;
      offset += dv.getUint32(offset, true);
    }
    if (events[0]!.position !== key || previous !== record!.last)
      throw new CorruptDataError('out-of-range', 44, `${where} starts at ${events[0]!.position}`);
    return events;
  }
}

/** `decodeSegments` of `whizbang/wasm`. */
export type Decode = (bytes: Uint8Array, options: { readonly core: Core }) => readonly unknown[];
/** `encodeSegment` of `whizbang/wasm`. */
export type Encode = (
  records: readonly WireRecord[],
  options: { readonly core: Core },
) => Uint8Array;

/** What the segment store takes from `whizbang/wasm` (imported only when segments are on). */
export interface WasmParts {
  readonly factory: CoreFactory;
  readonly decodeSegments: Decode;
  readonly encodeSegment: Encode;
}

/** Loads `whizbang/wasm` and its core (the package's bytes: no file, no network). */
export async function loadWasmParts(): Promise<WasmParts> {
  const wasm = await import('../../js/wasm/mod.ts');
  return {
    factory: wasm.loadWasmCoreSync(),
    decodeSegments: wasm.decodeSegments,
    encodeSegment: wasm.encodeSegment,
  };
}
