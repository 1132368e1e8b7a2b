/**
 * The segment store's shared parts: what the `segments` and `sealed` object stores hold, and the
 * sealed segments' decoding. A segment is checked by the core (lengths, CRC32C, hashes, UTF-8,
 * JSON) before any of its records is read, then against its own record (first position, count,
 * positions in order): bad bytes are a `CorruptDataError` with the offset, never skipped. A stream
 * read checks only the segment's header and the records it returns (segment-pick.ts).
 * Sealed segments never change, so the last few decoded stay in memory.
 */

import { CorruptDataError, isCorruptDataError, type RecordedEvent } from '../../js/mod.ts';
import type { Core, CoreFactory, SegmentRouter, WireRecord } from '../../js/wasm/mod.ts';
import { pickRecords } from './segment-pick.ts';

/** Options of the segment store (`indexedDbDriver({ segments: { … } })`). */
export interface SegmentOptions {
  /** Events per segment (default 256): sealing waits until this many recent events are there. */
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
  /**
   * True when the index keeps, per event type, the keys of the segments holding it (`typeKey`):
   * set on an empty index and by `verify`; an index written without it has none, or not all.
   */
  readonly byType?: true;
}

/** A stream's entry in the `sealed` store: its last sealed version and the segments holding it. */
export interface StreamEntry {
  readonly version: number;
  /** First positions (keys) of the segments that hold its events, ascending. */
  readonly segs: readonly number[];
  /**
   * Where its records are in each of `segs` (same order): pairs of a byte offset and how many of
   * its records follow there back to back. Absent in an index written before offsets were kept.
   */
  readonly at?: readonly (readonly number[])[];
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
/** Where the sealed index keeps the event types of the segment that starts at `first`. */
export const typesKey = (first: number): IDBValidKey => ['y', first];
/** The key range of every segment's types in the `sealed` store. */
export const TYPES_RANGE: readonly [IDBValidKey, IDBValidKey] = [['y'], ['y', []]];
/** Where the sealed index keeps the keys of the segments holding events of `type`, ascending. */
export const typeKey = (type: string): IDBValidKey => ['t', type];
/** The key range of every type's segment keys in the `sealed` store. */
export const TYPE_LISTS: readonly [IDBValidKey, IDBValidKey] = [['t'], ['t', []]];
/** Nothing sealed yet. */
export const NO_HEAD: SealedHead = { through: 0, segments: 0, events: 0 };

/** The metadata a compacted event carries in a segment (its payload is gone): reads skip it. */
export const COMPACTED = 'whizbang.compacted';

/** True when a sealed event was compacted before it was sealed. */
export const isCompacted = (e: RecordedEvent): boolean =>
  e.metadata !== undefined && (e.metadata as Record<string, unknown>)[COMPACTED] === true;

const CACHED = 24;
const SEGMENT_HEADER = 20;
/** Scan filters of the core (js/wasm/format.ts). */
const BY_STREAM = 1;
const BY_TENANT = 4;
const utf8 = new TextEncoder();

/** FNV-1a (32 bits) of a string's UTF-8: the hash the format keeps (core-wasm/FORMAT.md). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of utf8.encode(s)) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

/** The sealed part's decoder: one core, and the last segments decoded. */
export class SegmentCodec {
  #core: Core | undefined;
  #made: CoreFactory | undefined;
  #twin: Core | undefined;
  #parts: WasmParts | undefined;
  readonly #own: CoreFactory | undefined;
  readonly size: number;
  readonly background: boolean;
  /**
   * Settles once `whizbang/wasm` is loaded (its import is not waited for by the open): every use
   * of the codec waits for it first (segment-gate.ts).
   */
  readonly loaded: Promise<void>;
  readonly #name: string;
  readonly #cache = new Map<number, readonly RecordedEvent[]>();
  readonly #routers = new Map<string, SegmentRouter<true>>();
  #generation = 0;

  constructor(name: string, wasm: Promise<WasmParts>, options: SegmentOptions) {
    this.#name = name;
    this.#own = options.core;
    this.#made = options.core;
    this.size = options.size ?? 256;
    this.background = options.background ?? true;
    this.loaded = wasm.then((parts) => {
      this.#parts = parts;
      // the core compiles off the main thread meanwhile; where it cannot, its first use says why
      if (this.#made === undefined)
        setTimeout(() => {
          parts.compile().then(
            (made) => {
              this.#made ??= made;
            },
            () => undefined,
          );
        }, 0);
    });
    this.loaded.catch(() => undefined); // reported to each use that waits for it
  }

  /** Encodes records as one segment (`encodeSegment`). */
  encode(records: readonly WireRecord[], options: { readonly core: Core }): Uint8Array {
    return this.#parts!.encodeSegment(records, options);
  }

  #decode(bytes: Uint8Array, options: { readonly core: Core }): readonly unknown[] {
    return this.#parts!.decodeSegments(bytes, options);
  }

  /** The core, made at its first use (compiled then, unless the background compile is done). */
  get core(): Core {
    this.#core ??= this.#maker().create();
    return this.#core;
  }

  /** The factory of cores, compiled once. */
  #maker(): CoreFactory {
    this.#made ??= this.#own ?? this.#parts!.factory();
    return this.#made;
  }

  /**
   * A router of segments to the events of `types` (the core's dispatch table where its plan
   * routes, else the JavaScript loop); the last few type sets keep theirs.
   */
  router(types: readonly string[]): SegmentRouter<true> {
    const key = JSON.stringify(types);
    let router = this.#routers.get(key);
    if (router === undefined) {
      if (this.#routers.size >= 4) this.#routers.delete(this.#routers.keys().next().value!);
      router = this.#parts!.segmentRouter(new Map(types.map((type) => [type, [true] as const])), {
        core: this.#maker(),
      });
      this.#routers.set(key, router);
    }
    return router;
  }

  /** The segment decoded lately that holds `position`, if any (valid after `sync`). */
  covering(position: number): readonly RecordedEvent[] | undefined {
    for (const events of this.#cache.values())
      if (events[0]!.position <= position && events[events.length - 1]!.position >= position)
        return events;
    return undefined;
  }

  /**
   * The events of one stream in a segment record: the core checks the whole segment (CRC32C of
   * every record, lengths, hashes) and scans its headers for the stream's and tenant's hashes; only
   * those records are decoded. Bad bytes throw as {@link decode} does.
   */
  streamEvents(
    key: number,
    record: SegmentRecord | undefined,
    tenant: string,
    streamId: string,
  ): readonly RecordedEvent[] {
    const bytes = record?.bytes;
    const known = this.#cache.get(key);
    if (known !== undefined || !(bytes instanceof Uint8Array)) return this.decode(key, record);
    const core = this.core;
    const mark = core.mark();
    let picked: Uint8Array | undefined;
    try {
      const base = core.alloc(bytes.length);
      core.views.u8.set(bytes, base);
      const count = core.checkSegment(base, bytes.length);
      if (count === record!.count) {
        const out = core.alloc(4 * count + 4);
        const n = core.scan(
          base + SEGMENT_HEADER,
          base + bytes.length,
          BY_STREAM | BY_TENANT,
          fnv1a(streamId),
          0,
          fnv1a(tenant),
          0,
          Number.MAX_SAFE_INTEGER,
          out,
          0,
          count,
        );
        if (n >= 0) {
          let total = 0;
          const at: number[] = [];
          for (let i = 0; i < n; i++) {
            const p = core.views.dv.getUint32(out + 4 * i, true);
            at.push(p);
            total += core.views.dv.getUint32(p, true);
          }
          const mini = core.alloc(SEGMENT_HEADER + total);
          const u8 = core.views.u8;
          let w = mini + SEGMENT_HEADER;
          for (const p of at) {
            const len = core.views.dv.getUint32(p, true);
            u8.copyWithin(w, p, p + len);
            w += len;
          }
          core.sealSegment(mini, n, total);
          picked = core.views.u8.slice(mini, mini + SEGMENT_HEADER + total);
        }
      }
    } finally {
      core.reset(mark);
    }
    // the core refused the bytes: the full decode says where and why
    if (picked === undefined) return this.decode(key, record);
    if (picked.length === SEGMENT_HEADER) return [];
    const events = this.#decode(picked, { core }) as RecordedEvent[];
    // a hash names candidates; the strings decide
    return events.filter((e) => e.streamId === streamId && e.tenant === tenant);
  }

  /**
   * The records at `runs` of a segment (a stream's, as the index says), checked and decoded by
   * the twin (segment-pick.ts); undefined when decoded lately, or when anything does not check.
   */
  picked(
    key: number,
    record: SegmentRecord | undefined,
    runs: readonly number[],
  ): readonly RecordedEvent[] | undefined {
    if (this.#cache.has(key)) return undefined;
    // the WebAssembly core once compiled (in the background since the open), else the twin
    this.#twin ??= this.#parts!.twin.create();
    const core = this.#core ?? (this.#made === undefined ? this.#twin : this.core);
    return pickRecords(core, (bytes, options) => this.#decode(bytes, options), record, runs);
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

/** `segmentRouter` of `whizbang/wasm`, for one handler per type. */
export type Route = (
  routes: ReadonlyMap<string, readonly true[]>,
  options: { readonly core: CoreFactory },
) => SegmentRouter<true>;

/** What the segment store takes from `whizbang/wasm` (imported only when segments are on). */
export interface WasmParts {
  /** The WebAssembly core's factory, compiled when first asked for. */
  readonly factory: () => CoreFactory;
  readonly decodeSegments: Decode;
  readonly encodeSegment: Encode;
  readonly segmentRouter: Route;
  /** The core's TypeScript twin (`jsCore`): a stream's few records are checked without compiling. */
  readonly twin: CoreFactory;
  /** The WebAssembly core compiled asynchronously (off the main thread where the runtime can). */
  readonly compile: () => Promise<CoreFactory>;
}

/** Loads `whizbang/wasm` and its core (the package's bytes: no file, no network). */
export async function loadWasmParts(): Promise<WasmParts> {
  const wasm = await import('../../js/wasm/mod.ts');
  return {
    factory: () => wasm.loadWasmCoreSync(),
    decodeSegments: wasm.decodeSegments,
    encodeSegment: wasm.encodeSegment,
    segmentRouter: wasm.segmentRouter,
    twin: wasm.jsCore,
    compile: () => wasm.loadWasmCore(),
  };
}
