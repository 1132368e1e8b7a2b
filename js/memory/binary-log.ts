/**
 * The memory ledger's log as bytes: records of the binary format (core-wasm/FORMAT.md) in
 * segments, a row table (position → record) and a stream index (tenant, stream → records). With
 * the WebAssembly core every segment lives in the one instance's memory; with the TypeScript twin
 * each segment is a core of its own (growing one ArrayBuffer would copy the whole log). A record
 * is named by a handle: segment number × 2^32 + address. Only what a read returns is decoded;
 * filtered reads (`types`, `tenant`) run through the core's scan, so a skipped event costs a
 * header compare, not an object.
 */
import type { RecordedEvent } from '../ledger.ts';
import { hashString, readRecord, recordBound, writeRecord } from '../wasm/codec.ts';
import { type Core, type CoreFactory, JsCore } from '../wasm/core.ts';
import { BY_TENANT, BY_TYPE, SEGMENT_HEADER } from '../wasm/format.ts';

interface Segment {
  readonly core: Core;
  /** Address of the segment header; records start `SEGMENT_HEADER` bytes after it. */
  readonly start: number;
  readonly capacity: number;
  /** Address one past its last record. */
  end: number;
  count: number;
}

/** Room kept per scan call for matches (addresses), before the next call continues. */
const SCAN_BATCH = 1024;
const MIN_SEGMENT = 4096;
const MAX_SEGMENT = 1 << 20;

/** What the log holds, for the memory budget (see BENCHMARKS.md). */
export interface BinaryLogStats {
  readonly events: number;
  /** Bytes of the encoded records. */
  readonly encodedBytes: number;
  /** Bytes of the core's memory (segments included). */
  readonly coreBytes: number;
}

const HANDLE = 0x100000000;

export class BinaryLog {
  /** The WebAssembly core all segments share; undefined for the twin (a core per segment). */
  readonly #shared: Core | undefined;
  #segments: Segment[] = [];
  #rows = new Float64Array(1024);
  #count = 0;
  #encoded = 0;
  /** tenant -> stream id -> record handles, in version order */
  #streams = new Map<string, Map<string, number[]>>();

  constructor(factory?: CoreFactory) {
    this.#shared = factory === undefined || factory.kind === 'js' ? undefined : factory.create();
  }

  get head(): number {
    return this.#count;
  }

  version(tenant: string, streamId: string): number {
    return this.#streams.get(tenant)?.get(streamId)?.length ?? 0;
  }

  stats(): BinaryLogStats {
    const coreBytes =
      this.#shared?.views.u8.length ??
      this.#segments.reduce((sum, seg) => sum + seg.core.views.u8.length, 0);
    return { events: this.#count, encodedBytes: this.#encoded, coreBytes };
  }

  /** Writes recorded events (positions `head + 1 …`) of one stream. */
  write(
    tenant: string,
    streamId: string,
    events: readonly RecordedEvent[],
    json: readonly (string | undefined)[],
  ): void {
    let streams = this.#streams.get(tenant);
    if (streams === undefined) {
      streams = new Map();
      this.#streams.set(tenant, streams);
    }
    let stream = streams.get(streamId);
    if (stream === undefined) {
      stream = [];
      streams.set(streamId, stream);
    }
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      const data = json[2 * i];
      const metadata = json[2 * i + 1];
      const seg = this.#room(recordBound(event, data, metadata));
      const at = seg.end;
      const len = writeRecord(seg.core, at, event, data, metadata);
      seg.end += len;
      seg.count++;
      this.#encoded += len;
      if (this.#count === this.#rows.length) {
        const rows = new Float64Array(Math.ceil(this.#rows.length * 1.5));
        rows.set(this.#rows);
        this.#rows = rows;
      }
      const handle = (this.#segments.length - 1) * HANDLE + at;
      this.#rows[this.#count++] = handle;
      stream.push(handle);
    }
  }

  /** The open segment, or a new one, with `bound` bytes free. */
  #room(bound: number): Segment {
    const open = this.#segments.at(-1);
    if (open !== undefined && open.start + open.capacity - open.end >= bound) return open;
    if (open !== undefined)
      open.core.sealSegment(open.start, open.count, open.end - open.start - SEGMENT_HEADER);
    const size = Math.max(
      bound + SEGMENT_HEADER,
      Math.min(MAX_SEGMENT, Math.max(MIN_SEGMENT, this.#encoded >>> 3)),
    );
    const core = this.#shared ?? new JsCore(size);
    const start = core.alloc(size);
    const seg: Segment = { core, start, capacity: size, end: start + SEGMENT_HEADER, count: 0 };
    this.#segments.push(seg);
    return seg;
  }

  #read(handle: number): RecordedEvent {
    const index = Math.floor(handle / HANDLE);
    return readRecord(this.#segments[index]!.core.views, handle - index * HANDLE) as RecordedEvent;
  }

  /** Events `from`…`to` (1-based versions, inclusive) of a stream, at most `limit`. */
  readStream(
    tenant: string,
    streamId: string,
    from: number,
    to: number,
    limit: number,
  ): RecordedEvent[] {
    const stream = this.#streams.get(tenant)?.get(streamId);
    if (stream === undefined) return [];
    const end = Math.min(to, stream.length, from - 1 + limit);
    const out: RecordedEvent[] = [];
    for (let v = Math.max(from, 1); v <= end; v++) out.push(this.#read(stream[v - 1]!));
    return out;
  }

  /** Events at positions `from`…`to`, optionally of one tenant and some types, at most `limit`. */
  readAll(
    from: number,
    to: number,
    limit: number,
    tenant: string | undefined,
    types: readonly string[] | undefined,
  ): RecordedEvent[] {
    const out: RecordedEvent[] = [];
    const lastPos = Math.min(to, this.#count);
    if (from > lastPos || limit <= 0) return out;
    if (tenant === undefined && types === undefined) {
      const end = Math.min(lastPos, from - 1 + limit);
      for (let p = from; p <= end; p++) out.push(this.#read(this.#rows[p - 1]!));
      return out;
    }
    if (types !== undefined && types.length === 0) return out;
    const by = (types === undefined ? 0 : BY_TYPE) | (tenant === undefined ? 0 : BY_TENANT);
    const tenantHash = tenant === undefined ? 0 : hashString(tenant);
    const typeHashes = types?.map(hashString) ?? [];
    const typeSet = types === undefined ? undefined : new Set(types);
    const first = this.#rows[from - 1]!;
    const last = this.#rows[lastPos - 1]!;
    const firstSeg = Math.floor(first / HANDLE);
    const lastSeg = Math.floor(last / HANDLE);
    for (let s = firstSeg; s <= lastSeg; s++) {
      const seg = this.#segments[s]!;
      const core = seg.core;
      const mark = core.mark();
      try {
        let table = 0;
        if (types !== undefined) {
          let capacity = 8;
          while (capacity * 3 < typeHashes.length * 4 + 4) capacity *= 2;
          table = core.alloc(8 + 8 * capacity);
          core.dispatchInit(table, capacity);
          for (const hash of typeHashes) core.dispatchSet(table, hash, 0);
        }
        const found = core.alloc(4 * SCAN_BATCH);
        let at = s === firstSeg ? first - s * HANDLE : seg.start + SEGMENT_HEADER;
        let end = seg.end;
        if (s === lastSeg) {
          const lastAt = last - s * HANDLE;
          end = lastAt + core.views.dv.getUint32(lastAt, true);
        }
        while (at < end) {
          const n = core.scan(
            at,
            end,
            by,
            0,
            table,
            tenantHash,
            from,
            lastPos,
            found,
            0,
            SCAN_BATCH,
          );
          const views = core.views;
          for (let i = 0; i < n; i++) {
            const e = readRecord(views, views.dv.getUint32(found + 4 * i, true)) as RecordedEvent;
            // a hash names candidates; the strings decide
            if (
              (tenant === undefined || e.tenant === tenant) &&
              (typeSet === undefined || typeSet.has(e.type))
            ) {
              out.push(e);
              if (out.length >= limit) return out;
            }
          }
          if (n < SCAN_BATCH) break;
          const lastFound = views.dv.getUint32(found + 4 * (n - 1), true);
          at = lastFound + views.dv.getUint32(lastFound, true);
        }
      } finally {
        core.reset(mark);
      }
    }
    return out;
  }

  /** The log as segments of the binary format (copies), oldest first. */
  segments(): Uint8Array[] {
    return this.#segments.map((seg) => {
      seg.core.sealSegment(seg.start, seg.count, seg.end - seg.start - SEGMENT_HEADER);
      return seg.core.views.u8.slice(seg.start, seg.end);
    });
  }
}
