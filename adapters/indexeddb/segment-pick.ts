/**
 * Where a stream's records are in a segment, and reading only them. The sealed index keeps, per
 * stream and segment, runs of its records (a byte offset and how many follow back to back), so a
 * stream read decodes its own records and no others. What is returned is checked first: the
 * segment's header (magic, version, count, body length against the bytes, header CRC32C) and each
 * picked record whole (length, CRC32C, hashes, UTF-8, JSON), by the core's TypeScript twin (a few
 * records: no WebAssembly to compile for them). The other records of the segment are not checked
 * by this read; they are when a read returns them, and by `verify`. Anything that does not check
 * gives up (undefined): the caller then checks the whole segment, which reports the damage
 * (`CorruptDataError` with its offset) or, when the segment is sound, shows the index stale.
 */

import { isCorruptDataError, type RecordedEvent } from '../../js/mod.ts';
import type { Core } from '../../js/wasm/mod.ts';

/** What a pick reads of a segment's record (segments.ts `SegmentRecord`). */
interface Stored {
  readonly count: number;
  readonly bytes: Uint8Array;
}

const HEADER = 20;
const RECORD_HEADER = 68;
const MAGIC = 0x535a4257; // "WBZS" read little-endian

/** The byte offset of each record of a sound segment (its lengths walked, never past its end). */
export function recordOffsets(bytes: Uint8Array): number[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let at = HEADER; at + RECORD_HEADER <= bytes.length; ) {
    const length = dv.getUint32(at, true);
    if (length < RECORD_HEADER) break;
    out.push(at);
    at += length;
  }
  return out;
}

/**
 * Runs of each name's records in a sound segment: `nameOf(i)` names record `i`; the answer maps
 * each name to pairs of (byte offset, records back to back there).
 */
export function streamRuns(
  bytes: Uint8Array,
  count: number,
  nameOf: (i: number) => string,
): Map<string, number[]> {
  const offsets = recordOffsets(bytes);
  const runs = new Map<string, number[]>();
  const lastOf = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const name = nameOf(i);
    const run = runs.get(name) ?? [];
    if (run.length === 0) runs.set(name, run);
    if (lastOf.get(name) === i - 1) run[run.length - 1]!++;
    else run.push(offsets[i] ?? 0, 1); // 0: no record there (a pick then gives up)
    lastOf.set(name, i);
  }
  return runs;
}

/**
 * The records at `runs` of a segment record, checked as the module says, decoded with `decode`
 * in `core` (a TypeScript twin); undefined when anything does not check.
 */
export function pickRecords(
  core: Core,
  decode: (bytes: Uint8Array, options: { readonly core: Core }) => readonly unknown[],
  record: Stored | undefined,
  runs: readonly number[],
): RecordedEvent[] | undefined {
  const bytes = record?.bytes;
  if (!(bytes instanceof Uint8Array) || bytes.length < HEADER) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (
    dv.getUint32(0, true) !== MAGIC ||
    dv.getUint32(4, true) !== 1 || // version 1, flags and reserved 0
    dv.getUint32(8, true) !== record!.count ||
    dv.getUint32(12, true) !== bytes.length - HEADER
  )
    return undefined;
  const at: number[] = [];
  let total = 0;
  for (let r = 0; r + 1 < runs.length; r += 2) {
    let p = runs[r]!;
    for (let n = runs[r + 1]!; n > 0; n--) {
      if (p < HEADER || p + RECORD_HEADER > bytes.length) return undefined;
      const length = dv.getUint32(p, true);
      if (length < RECORD_HEADER || p + length > bytes.length) return undefined;
      at.push(p);
      total += length;
      p += length;
    }
  }
  const mark = core.mark();
  try {
    const head = core.alloc(HEADER);
    core.views.u8.set(bytes.subarray(0, HEADER), head);
    if (core.crc32c(head, 16) !== dv.getUint32(16, true)) return undefined;
    const mini = core.alloc(HEADER + total);
    const u8 = core.views.u8;
    let w = mini + HEADER;
    for (const p of at) {
      const length = dv.getUint32(p, true);
      u8.set(bytes.subarray(p, p + length), w);
      w += length;
    }
    core.sealSegment(mini, at.length, total);
    // a copy: decoding in a WebAssembly core may grow its memory, and a view of it would detach
    return decode(core.views.u8.slice(mini, w), { core }) as RecordedEvent[];
  } catch (error) {
    if (isCorruptDataError(error)) return undefined;
    throw error;
  } finally {
    core.reset(mark);
  }
}
