/**
 * The memory ledger's log as bytes: records of the binary format (core-wasm/FORMAT.md) in
 * segments, a row table (position → record) and a stream index (tenant, stream → records). With
 * the WebAssembly core every segment lives in the one instance's memory; with the TypeScript twin
 * each segment is a core of its own (growing one ArrayBuffer would copy the whole log). A record
 * is named by a handle: segment number × 2^32 + address. Only what a read returns is decoded;
 * filtered reads (`types`, `tenant`) run through the core's scan, so a skipped event costs a
 * header compare, not an object.
 */

import type { RecordedEvent } from '../contracts/ledger.ts';
import { CorruptDataError } from '../util/errors.ts';
import {
  corrupt,
  hashString,
  readRecord,
  readString,
  recordBound,
  writeRecord,
} from '../wasm/codec.ts';
import { type Core, type CoreFactory, JsCore } from '../wasm/core.ts';
import {
  BY_TENANT,
  BY_TYPE,
  R_POSITION,
  R_STRING_LENS,
  R_VERSION,
  RECORD_HEADER,
  S_BODY_LENGTH,
  S_COUNT,
  SEGMENT_HEADER,
} from '../wasm/format.ts';
import type { BinaryLogStats, Segment } from './binary-log-parts.ts';

/** Room kept per scan call for matches (addresses), before the next call continues. */
const SCAN_BATCH = 1024;
const MIN_SEGMENT = 4096;
const MAX_SEGMENT = 1 << 20;

export type { BinaryLogStats } from './binary-log-parts.ts';

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

  /** Writes recorded events (positions `head + 1 …`) of one stream, all or none. */
  write(
    tenant: string,
    streamId: string,
    events: readonly RecordedEvent[],
    json: readonly (string | undefined)[],
  ): void {
    if (events.length === 1) {
      // one record: a failure leaves nothing to undo (it is indexed only once written)
      const handle = this.#put(events[0]!, json[0], json[1]);
      this.#roomForRows(1);
      this.#rows[this.#count++] = handle;
      this.#stream(tenant, streamId).push(handle);
      return;
    }
    const segments = this.#segments.length;
    const open = this.#segments.at(-1);
    const openEnd = open?.end ?? 0;
    const openCount = open?.count ?? 0;
    const encoded = this.#encoded;
    const handles = new Array<number>(events.length);
    try {
      for (let i = 0; i < events.length; i++) {
        handles[i] = this.#put(events[i]!, json[2 * i], json[2 * i + 1]);
      }
    } catch (error) {
      this.#segments.length = segments;
      if (open !== undefined) {
        open.end = openEnd;
        open.count = openCount;
      }
      this.#encoded = encoded;
      throw error;
    }
    const stream = this.#stream(tenant, streamId);
    this.#roomForRows(handles.length);
    for (const handle of handles) {
      this.#rows[this.#count++] = handle;
      stream.push(handle);
    }
  }

  /** Writes one record in the open segment (or a new one); its handle. */
  #put(event: RecordedEvent, data: string | undefined, metadata: string | undefined): number {
    const seg = this.#room(recordBound(event, data, metadata));
    const at = seg.end;
    const len = writeRecord(seg.core, at, event, data, metadata);
    seg.end += len;
    seg.count++;
    this.#encoded += len;
    return (this.#segments.length - 1) * HANDLE + at;
  }

  /** Grows the row table to hold `more` rows. */
  #roomForRows(more: number): void {
    if (this.#count + more <= this.#rows.length) return;
    const rows = new Float64Array(Math.ceil((this.#count + more) * 1.5));
    rows.set(this.#rows);
    this.#rows = rows;
  }

  /** The records of a stream, made empty when new. */
  #stream(tenant: string, streamId: string): number[] {
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
    return stream;
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

  /**
   * Takes over segments (what {@link segments} returned, or a file or transport carried): each is
   * checked, copied into a core and indexed there (`indexBuild`: versions by stream hash, chains
   * of previous records), so a stream's strings are decoded once per segment, not per event.
   * Positions must continue the log and versions their streams, or it throws CorruptDataError.
   */
  load(bytes: Uint8Array): void {
    let offset = 0;
    // like decodeSegments: no bytes at all is a truncated segment
    do {
      const avail = bytes.length - offset;
      const size =
        avail < SEGMENT_HEADER
          ? avail
          : SEGMENT_HEADER +
            new DataView(bytes.buffer, bytes.byteOffset + offset).getUint32(S_BODY_LENGTH, true);
      const copied = Math.min(size, avail);
      const core = this.#shared ?? new JsCore(copied);
      const start = core.alloc(copied);
      core.views.u8.set(bytes.subarray(offset, offset + copied), start);
      const count = core.checkSegment(start, avail);
      if (count < 0) throw corrupt(count, core.errorOffset(), start - offset);
      this.#index(core, start, count, offset);
      if (this.#shared === undefined) {
        // the twin's segment gets a core of its exact size, without the index's scratch
        const exact = new JsCore(copied);
        exact.alloc(copied);
        exact.views.u8.set(core.views.u8.subarray(start, start + copied), start);
        this.#segments[this.#segments.length - 1]!.core = exact;
      }
      offset += size;
    } while (offset < bytes.length);
  }

  #index(core: Core, start: number, count: number, offset: number): void {
    const mark = core.mark();
    let capacity = 16;
    while (capacity * 3 < count * 4 + 4) capacity *= 2;
    const table = core.alloc(8 + 16 * capacity);
    const prev = core.alloc(4 * count + 4);
    const ver = core.alloc(4 * count + 4);
    core.indexInit(table, capacity);
    const end = start + SEGMENT_HEADER + core.views.dv.getUint32(start + S_BODY_LENGTH, true);
    if (core.indexBuild(table, start + SEGMENT_HEADER, end, 0, prev, ver, count) !== count)
      throw new CorruptDataError('bad-length', S_COUNT + offset);
    const { u8, dv } = core.views;
    const segment = this.#segments.length;
    const lists: number[][] = new Array(count);
    const at: number[] = new Array(count);
    let p = start + SEGMENT_HEADER;
    for (let i = 0; i < count; i++) {
      at[i] = p;
      const streamLen = dv.getUint16(p + R_STRING_LENS, true);
      const typeLen = dv.getUint16(p + R_STRING_LENS + 2, true);
      const tenantLen = dv.getUint16(p + R_STRING_LENS + 4, true);
      const before = dv.getInt32(prev + 4 * i, true);
      let list: number[] | undefined;
      // the index names the previous record of the same hashes; equal bytes make it the same stream
      if (before >= 0 && sameKey(u8, dv, at[before]!, p, streamLen, typeLen, tenantLen))
        list = lists[before];
      if (list === undefined) {
        const key = p + RECORD_HEADER;
        const stream = readString(u8, key, streamLen);
        const tenant = readString(u8, key + streamLen + typeLen, tenantLen);
        list = this.#stream(tenant, stream);
      }
      lists[i] = list;
      const position =
        dv.getUint32(p + R_POSITION, true) + dv.getUint32(p + R_POSITION + 4, true) * 0x100000000;
      const version =
        dv.getUint32(p + R_VERSION, true) + dv.getUint32(p + R_VERSION + 4, true) * 0x100000000;
      const base = p - start + offset;
      if (position !== this.#count + 1)
        throw new CorruptDataError(
          'out-of-range',
          base + R_POSITION,
          `position ${position} does not follow ${this.#count}`,
        );
      if (version !== list.length + 1 || streamLen === 0)
        throw new CorruptDataError(
          'out-of-range',
          base + R_VERSION,
          `version ${version} does not follow ${list.length}`,
        );
      const handle = segment * HANDLE + p;
      this.#roomForRows(1);
      this.#rows[this.#count++] = handle;
      list.push(handle);
      const len = dv.getUint32(p, true);
      this.#encoded += len;
      p += len;
    }
    core.reset(mark);
    this.#segments.push({ core, start, capacity: end - start, end, count });
  }

  /** The log as segments of the binary format (copies), oldest first. */
  segments(): Uint8Array[] {
    return this.#segments.map((seg) => {
      seg.core.sealSegment(seg.start, seg.count, seg.end - seg.start - SEGMENT_HEADER);
      return seg.core.views.u8.slice(seg.start, seg.end);
    });
  }
}

/** True when two records carry the same stream and tenant bytes. */
function sameKey(
  u8: Uint8Array,
  dv: DataView,
  a: number,
  b: number,
  streamLen: number,
  typeLen: number,
  tenantLen: number,
): boolean {
  if (dv.getUint16(a + R_STRING_LENS, true) !== streamLen) return false;
  if (dv.getUint16(a + R_STRING_LENS + 4, true) !== tenantLen) return false;
  const aType = dv.getUint16(a + R_STRING_LENS + 2, true);
  for (let i = 0; i < streamLen; i++)
    if (u8[a + RECORD_HEADER + i] !== u8[b + RECORD_HEADER + i]) return false;
  for (let i = 0; i < tenantLen; i++)
    if (
      u8[a + RECORD_HEADER + streamLen + aType + i] !==
      u8[b + RECORD_HEADER + streamLen + typeLen + i]
    )
      return false;
  return true;
}
