/**
 * Walking the segments of a file one at a time: each is copied into the core on its own, checked
 * (`checkSegment`: CRC32C, lengths, hashes, UTF-8) and handed over, then its room is given back —
 * so a file of any size is checked in a core memory of one segment (the memory's cap is 1 GiB).
 * Offsets in errors count from the start of the file.
 */
import { corrupt } from './codec.ts';
import type { Core, CoreFactory } from './core.ts';
import { S_BODY_LENGTH, SEGMENT_HEADER } from './format.ts';

/** One checked segment in the core's memory. */
export interface CheckedSegment {
  /** The core it was copied into (read `core.views` for its bytes). */
  readonly core: Core;
  /** Address of its first record. */
  readonly body: number;
  /** Address just past its last record. */
  readonly next: number;
  /** Its records. */
  readonly count: number;
  /** Subtract from an address for the offset in the file. */
  readonly base: number;
}

/**
 * Checks the segments of `bytes` in order and calls `visit` with each (valid only during the call).
 * Bad bytes throw `CorruptDataError` with their offset; an empty file is a truncated one.
 */
export function eachSegment(
  bytes: Uint8Array,
  factory: CoreFactory,
  visit: (segment: CheckedSegment) => void,
): void {
  const core = factory.create();
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  do {
    const remaining = bytes.length - offset;
    const size =
      remaining < SEGMENT_HEADER
        ? remaining
        : Math.min(remaining, SEGMENT_HEADER + dv.getUint32(offset + S_BODY_LENGTH, true));
    const mark = core.mark();
    try {
      const at = core.alloc(size);
      core.views.u8.set(bytes.subarray(offset, offset + size), at);
      const base = at - offset;
      const count = core.checkSegment(at, size);
      if (count < 0) throw corrupt(count, core.errorOffset(), base);
      visit({ core, body: at + SEGMENT_HEADER, next: at + size, count, base });
    } finally {
      core.reset(mark);
    }
    offset += size;
  } while (offset < bytes.length);
}
