/**
 * The memory ledger's log as bytes: records of the binary format (core-wasm/FORMAT.md) in segments
 * of one core's memory, a row table (position → record) and a stream index (tenant, stream →
 * records). Only what a read returns is decoded; filtered reads (`types`, `tenant`) run through
 * the core's scan, so skipped events cost a header compare, not an object.
 */
import type { RecordedEvent } from '../ledger.ts';
import { hashString, readRecord, recordBound, writeRecord } from '../wasm/codec.ts';
import { type Core, type CoreFactory, jsCore } from '../wasm/core.ts';
import { BY_TENANT, BY_TYPE, SEGMENT_HEADER } from '../wasm/format.ts';

interface Segment {
  /** Address of the segment header; records start `SEGMENT_HEADER` bytes after it. */
  readonly start: number;
  readonly capacity: number;
  /** Address one past its last record. */
  end: number;
  count: number;
}

/** An event ready to be written: the recorded event and the JSON of its data and metadata. */
export interface PendingRecord {
  readonly event: RecordedEvent;
  readonly dataJson: string | undefined;
  readonly metadataJson: string | undefined;
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

export class BinaryLog {
  readonly core: Core;
  #segments: Segment[] = [];
  #rows = new Uint32Array(1024);
  #count = 0;
  #encoded = 0;
  /** tenant -> stream id -> record addresses, in version order */
  #streams = new Map<string, Map<string, number[]>>();

  constructor(factory: CoreFactory = jsCore) {
    this.core = factory.create();
  }

  get head(): number {
    return this.#count;
  }

  version(tenant: string, streamId: string): number {
    return this.#streams.get(tenant)?.get(streamId)?.length ?? 0;
  }

  stats(): BinaryLogStats {
    return {
      events: this.#count,
      encodedBytes: this.#encoded,
      coreBytes: this.core.views.u8.length,
    };
  }

  /** Writes recorded events (positions `head + 1 …`) of one stream. */
  write(tenant: string, streamId: string, records: readonly PendingRecord[]): void {
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
    for (const r of records) {
      const bound = recordBound(r.event, r.dataJson, r.metadataJson);
      const seg = this.#room(bound);
      const at = seg.end;
      const len = writeRecord(this.core, at, r.event, r.dataJson, r.metadataJson);
      seg.end += len;
      seg.count++;
      this.#encoded += len;
      if (this.#count === this.#rows.length) {
        const rows = new Uint32Array(Math.ceil(this.#rows.length * 1.5));
        rows.set(this.#rows);
        this.#rows = rows;
      }
      this.#rows[this.#count++] = at;
      stream.push(at);
    }
  }

  /** The open segment, or a new one, with `bound` bytes free. */
  #room(bound: number): Segment {
    const open = this.#segments.at(-1);
    if (open !== undefined && open.start + open.capacity - open.end >= bound) return open;
    if (open !== undefined)
      this.core.sealSegment(open.start, open.count, open.end - open.start - SEGMENT_HEADER);
    const size = Math.max(
      bound + SEGMENT_HEADER,
      Math.min(MAX_SEGMENT, Math.max(MIN_SEGMENT, this.#encoded >>> 3)),
    );
    const start = this.core.alloc(size);
    const seg: Segment = { start, capacity: size, end: start + SEGMENT_HEADER, count: 0 };
    this.#segments.push(seg);
    return seg;
  }

  #read(at: number): RecordedEvent {
    return readRecord(this.core.views, at) as RecordedEvent;
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
    const last = Math.min(to, this.#count);
    if (from > last || limit <= 0) return out;
    if (tenant === undefined && types === undefined) {
      const end = Math.min(last, from - 1 + limit);
      for (let p = from; p <= end; p++) out.push(this.#read(this.#rows[p - 1]!));
      return out;
    }
    if (types !== undefined && types.length === 0) return out;
    const core = this.core;
    const mark = core.mark();
    try {
      let table = 0;
      if (types !== undefined) {
        let capacity = 8;
        while (capacity * 3 < types.length * 4 + 4) capacity *= 2;
        table = core.alloc(8 + 8 * capacity);
        core.dispatchInit(table, capacity);
        for (const type of types) core.dispatchSet(table, hashString(type), 0);
      }
      const found = core.alloc(4 * SCAN_BATCH);
      const by = (types === undefined ? 0 : BY_TYPE) | (tenant === undefined ? 0 : BY_TENANT);
      const tenantHash = tenant === undefined ? 0 : hashString(tenant);
      const typeSet = types === undefined ? undefined : new Set(types);
      const first = this.#rows[from - 1]!;
      const lastAt = this.#rows[last - 1]!;
      const stop = lastAt + core.views.dv.getUint32(lastAt, true);
      for (const seg of this.#segments) {
        if (seg.end <= first) continue;
        if (seg.start >= stop) break;
        let at = Math.max(seg.start + SEGMENT_HEADER, first);
        const end = Math.min(seg.end, stop);
        while (at < end) {
          const n = core.scan(at, end, by, 0, table, tenantHash, from, last, found, 0, SCAN_BATCH);
          const dv = core.views.dv;
          for (let i = 0; i < n; i++) {
            const e = this.#read(dv.getUint32(found + 4 * i, true));
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
          const lastFound = dv.getUint32(found + 4 * (n - 1), true);
          at = lastFound + dv.getUint32(lastFound, true);
        }
      }
      return out;
    } finally {
      core.reset(mark);
    }
  }

  /** The log as segments of the binary format (copies), oldest first. */
  segments(): Uint8Array[] {
    return this.#segments.map((seg) => {
      this.core.sealSegment(seg.start, seg.count, seg.end - seg.start - SEGMENT_HEADER);
      return this.core.views.u8.slice(seg.start, seg.end);
    });
  }
}
