/**
 * A log read by types over a sealed segment, routed by the core: its dispatch table (type hash →
 * slot) picks the records of the wanted types in one scan, and only those are decoded — a
 * perspective's rebuild or catch-up (`readAll({ types })`) no longer parses every event's JSON.
 * The segment is checked as a whole first (CRC32C of every record, lengths, hashes); anything the
 * routed read cannot vouch for goes the full decode's way, which reports it (`CorruptDataError`
 * with the offset) or reads it.
 */

import { isCorruptDataError, type RecordedEvent } from '../../js/mod.ts';
import type { SegmentCodec, SegmentRecord } from './segments.ts';

/** Where a segment keeps its record count, and its first record its position (FORMAT.md). */
const S_COUNT = 8;
const SEGMENT_HEADER = 20;
const R_POSITION = 24;
const FIRST_POSITION = SEGMENT_HEADER + R_POSITION;

/** The events of `types` in segment `key` (every tenant; compacted ones included), in order. */
export function typedEvents(
  codec: SegmentCodec,
  key: number,
  record: SegmentRecord | undefined,
  types: readonly string[],
): readonly RecordedEvent[] {
  const known = codec.cached(key);
  const bytes = record?.bytes;
  if (known === undefined && bytes instanceof Uint8Array && bytes.length >= FIRST_POSITION + 8) {
    const routed = route(codec, key, record!, bytes, types);
    if (routed !== undefined) return routed;
  }
  // cached, or something the routed read cannot vouch for: the full decode checks and reports
  const wanted = new Set(types);
  return codec.decode(key, record).filter((e) => wanted.has(e.type));
}

/** The routed read, or undefined when the bytes disagree with their record or the core refused. */
function route(
  codec: SegmentCodec,
  key: number,
  record: SegmentRecord,
  bytes: Uint8Array,
  types: readonly string[],
): RecordedEvent[] | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const first =
    dv.getUint32(FIRST_POSITION, true) + dv.getUint32(FIRST_POSITION + 4, true) * 2 ** 32;
  if (dv.getUint32(S_COUNT, true) !== record.count || first !== key) return undefined;
  const out: RecordedEvent[] = [];
  let previous = key - 1;
  let ordered = true;
  try {
    codec.router(types).route(bytes, (e) => {
      if (
        e.position <= previous ||
        e.position > record.last ||
        e.kind !== 'event' ||
        e.streamId === undefined
      )
        ordered = false;
      previous = e.position;
      out.push(e as unknown as RecordedEvent);
    });
  } catch (error) {
    if (isCorruptDataError(error)) return undefined;
    throw error;
  }
  return ordered && lastPosition(dv) === record.last ? out : undefined;
}

/** The position of a checked segment's last record (its records' lengths walked). */
function lastPosition(dv: DataView): number {
  let at = SEGMENT_HEADER;
  let last = at;
  while (at < dv.byteLength) {
    last = at;
    const length = dv.getUint32(at, true);
    if (length === 0) return Number.NaN;
    at += length;
  }
  return (
    dv.getUint32(last + R_POSITION, true) + dv.getUint32(last + R_POSITION + 4, true) * 2 ** 32
  );
}
