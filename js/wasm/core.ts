/**
 * A core: one memory and the functions of the binary format over it. Two kinds with the same
 * interface — the WebAssembly core (`core-wasm/`) and its TypeScript twin — and a per-function
 * plan, so a WebAssembly core can still run a function in TypeScript over its memory where
 * TypeScript measured faster on that runtime (see BENCHMARKS.md).
 */
import { WhizbangError } from '../util/errors.ts';
import type { Views } from './twin.ts';
import * as twin from './twin.ts';

/**
 * The functions a plan can place on either side (`route`: pages of segments routed to handlers
 * through the dispatch table, `route.ts`; on the `'js'` side a `Map` loop routes them).
 */
export type CoreFunction = 'crc32c' | 'seal' | 'check' | 'scan' | 'index' | 'route';

/** Which side runs each function: `'wasm'` or `'js'` (the TypeScript twin). */
export type CorePlan = Readonly<Record<CoreFunction, 'wasm' | 'js'>>;

/** The plan of the TypeScript twin: everything in TypeScript. */
export const JS_PLAN: CorePlan = Object.freeze({
  crc32c: 'js',
  seal: 'js',
  check: 'js',
  scan: 'js',
  index: 'js',
  route: 'js',
});

/**
 * One core instance: a private memory (addresses are byte offsets into it) and the format's
 * functions over it. Statuses are returned raw (negative = the reasons of `format.ts`); the codec
 * turns them into `CorruptDataError`s.
 */
export interface Core {
  /** `'wasm'` (the WebAssembly core) or `'js'` (its TypeScript twin). */
  readonly kind: 'wasm' | 'js';
  /** Which side runs each function. */
  readonly plan: CorePlan;
  /** Views of the memory. Read them again after `alloc`: the memory may have grown. */
  readonly views: Views;
  /** Reserves `size` bytes; throws `CAPACITY_EXCEEDED` at the memory cap (1 GiB). */
  alloc(size: number): number;
  /** The current top of the allocations, to `reset` to later. */
  mark(): number;
  /** Frees every allocation made after `mark()` returned `to`. */
  reset(to: number): void;
  /** Address of the field the last failed check stopped at. */
  errorOffset(): number;
  /** CRC32C of `len` bytes at `addr`. */
  crc32c(addr: number, len: number): number;
  /** Completes the record at `addr` (lengths, hashes, checksum); returns its length. */
  sealRecord(addr: number): number;
  /** Writes a segment header for `count` records in `bodyLength` bytes after it. */
  sealSegment(addr: number, count: number, bodyLength: number): void;
  /** Checks one record at `addr` with `avail` bytes readable: its length, or a negative status. */
  checkRecord(addr: number, avail: number): number;
  /**
   * Checks a segment at `addr` with `avail` bytes readable: its record count, or a negative status.
   */
  checkSegment(addr: number, avail: number): number;
  /**
   * Finds the records between `start` and `end` that a read wants (by position range and filter);
   * returns how many it wrote to `out`.
   */
  scan(
    start: number,
    end: number,
    by: number,
    streamHash: number,
    table: number,
    tenantHash: number,
    minPos: number,
    maxPos: number,
    out: number,
    outSlots: number,
    outCap: number,
  ): number;
  /** Makes an empty dispatch table of `capacity` (a power of two) slots at `t`. */
  dispatchInit(t: number, capacity: number): void;
  /** Maps a type hash to a handler slot; returns 0, or a negative status when the table is full. */
  dispatchSet(t: number, hash: number, slot: number): number;
  /** The handler slot of a type hash, or -1. */
  dispatchGet(t: number, hash: number): number;
  /** Makes an empty stream index of `capacity` (a power of two) streams at `t`. */
  indexInit(t: number, capacity: number): void;
  /** Address of the index entry of (stream hash, tenant hash), or -1. */
  indexFind(t: number, streamHash: number, tenantHash: number): number;
  /**
   * Indexes the records between `start` and `end`: each stream's previous row and version, chained
   * by hash.
   */
  indexBuild(
    t: number,
    start: number,
    end: number,
    firstRow: number,
    outPrev: number,
    outVer: number,
    cap: number,
  ): number;
}

/** Makes cores of one kind; {@link jsCore} or what `loadWasmCore` resolves to. */
export interface CoreFactory {
  /** `'wasm'` or `'js'`. */
  readonly kind: 'wasm' | 'js';
  /** Which side runs each function. */
  readonly plan: CorePlan;
  /** A new core with its own memory. */
  create(): Core;
}

const PAGE = 65536;
/** Both kinds cap their memory at 1 GiB (the WebAssembly module's `--maximumMemory`). */
export const MAX_PAGES = 16384;

export function capacityExceeded(size: number): WhizbangError {
  return new WhizbangError(
    'CAPACITY_EXCEEDED',
    `The core's memory is full: ${size} more bytes would pass its cap of ${MAX_PAGES * PAGE} bytes. ` +
      'Keep less in one memory ledger (snapshot and start a new one), or use a durable driver.',
  );
}

/**
 * The TypeScript twin's memory: one ArrayBuffer that grows by copying, 1/8 at a time, like the
 * WebAssembly core's (a resizable ArrayBuffer would grow in place, but V8 reads and writes through
 * views of one about 10× slower, so the memory ledger gives each segment a core of its own instead).
 */
export class JsCore implements Core {
  readonly kind = 'js' as const;
  readonly plan: CorePlan = JS_PLAN;
  views: Views;
  #top = 16; // 0 stays "no address"

  /** A memory of `initialBytes` (more are added as `alloc` needs them). */
  constructor(initialBytes: number = PAGE) {
    const buffer = new ArrayBuffer(Math.max(16, (initialBytes + 16 + 7) & ~7));
    this.views = { u8: new Uint8Array(buffer), dv: new DataView(buffer) };
  }

  alloc(size: number): number {
    const ptr = this.#top;
    const next = (ptr + size + 7) & ~7;
    const have = this.views.u8.length;
    if (next > have) {
      if (next > MAX_PAGES * PAGE) throw capacityExceeded(size);
      const length = Math.min(Math.max(next, (have + (have >>> 3) + 7) & ~7), MAX_PAGES * PAGE);
      const grown = new Uint8Array(length);
      grown.set(this.views.u8);
      this.views = { u8: grown, dv: new DataView(grown.buffer) };
    }
    this.#top = next;
    return ptr;
  }
  mark(): number {
    return this.#top;
  }
  reset(to: number): void {
    if (to >= 16 && to <= this.#top) this.#top = to;
  }
  errorOffset(): number {
    return twin.errorOffset();
  }
  crc32c(addr: number, len: number): number {
    return twin.crc32c(this.views, addr, len);
  }
  sealRecord(addr: number): number {
    return twin.sealRecord(this.views, addr);
  }
  sealSegment(addr: number, count: number, bodyLength: number): void {
    twin.sealSegment(this.views, addr, count, bodyLength);
  }
  checkRecord(addr: number, avail: number): number {
    return twin.checkRecord(this.views, addr, avail);
  }
  checkSegment(addr: number, avail: number): number {
    return twin.checkSegment(this.views, addr, avail);
  }
  scan(
    start: number,
    end: number,
    by: number,
    streamHash: number,
    table: number,
    tenantHash: number,
    minPos: number,
    maxPos: number,
    out: number,
    outSlots: number,
    outCap: number,
  ): number {
    return twin.scan(
      this.views,
      start,
      end,
      by,
      streamHash,
      table,
      tenantHash,
      minPos,
      maxPos,
      out,
      outSlots,
      outCap,
    );
  }
  dispatchInit(t: number, capacity: number): void {
    twin.dispatchInit(this.views, t, capacity);
  }
  dispatchSet(t: number, hash: number, slot: number): number {
    return twin.dispatchSet(this.views, t, hash, slot);
  }
  dispatchGet(t: number, hash: number): number {
    return twin.dispatchGet(this.views, t, hash);
  }
  indexInit(t: number, capacity: number): void {
    twin.indexInit(this.views, t, capacity);
  }
  indexFind(t: number, streamHash: number, tenantHash: number): number {
    return twin.indexFind(this.views, t, streamHash, tenantHash);
  }
  indexBuild(
    t: number,
    start: number,
    end: number,
    firstRow: number,
    outPrev: number,
    outVer: number,
    cap: number,
  ): number {
    return twin.indexBuild(this.views, t, start, end, firstRow, outPrev, outVer, cap);
  }
}

/** The TypeScript twin: runs everywhere, needs no loading. */
export const jsCore: CoreFactory = Object.freeze({
  kind: 'js',
  plan: JS_PLAN,
  create: (): Core => new JsCore(),
});
