/**
 * Walking the segments of a file as its bytes arrive, chunk by chunk: each segment's header is
 * checked on its own first (so a damaged length is never waited for), then the segment is
 * gathered into the core, checked (`checkSegment`: CRC32C, lengths, hashes, UTF-8) and handed
 * over, then its room is given back. Memory holds one segment and the chunks of the next, so a file
 * of any size is walked in the memory of its largest segment. Whatever the chunk boundaries, the
 * verdict and the offsets are those of the whole-buffer walk (`segment-walk.ts`).
 */
import { type ByteSource, ChunkQueue } from './byte-source.ts';
import { corrupt } from './codec.ts';
import { type Core, type CoreFactory, capacityExceeded, MAX_PAGES } from './core.ts';
import { S_BODY_LENGTH, SEGMENT_HEADER, TRUNCATED } from './format.ts';
import type { CheckedSegment } from './segment-walk.ts';

/** Bytes the core can hold at most (its memory's cap, less its first 16 bytes and alignment). */
const LARGEST = MAX_PAGES * 65536 - 64;

/** A checked segment as the stream walk hands it over: where it starts in the core, and in the file. */
export interface StreamedSegment extends CheckedSegment {
  /** Address of its header (its bytes are `[start, next)`). */
  readonly start: number;
  /** Its offset in the file. */
  readonly offset: number;
}

/**
 * Checks the segments of `source` in order and awaits `visit` with each (valid only until the
 * promise settles). Bad bytes throw `CorruptDataError` with their offset from the start of the
 * file; an empty source is a truncated file. Resolves with the bytes read. A throw (or a bad
 * segment) stops reading: a web stream is cancelled.
 */
export async function eachStreamedSegment(
  source: ByteSource,
  factory: CoreFactory,
  visit: (segment: StreamedSegment) => void | Promise<void>,
): Promise<number> {
  const core = factory.create();
  const queue = new ChunkQueue(source);
  let offset = 0;
  try {
    do {
      await queue.fill(SEGMENT_HEADER);
      let size = Math.min(queue.length, SEGMENT_HEADER);
      if (size === SEGMENT_HEADER) {
        const body = headerBody(core, queue.peek(SEGMENT_HEADER), offset);
        size = SEGMENT_HEADER + body;
        if (size > LARGEST) {
          // as much as the whole-buffer walk would be refused: cut short, or past the core's cap
          throw (await seenUpTo(queue, size)) < size
            ? corrupt(TRUNCATED, offset + S_BODY_LENGTH, 0)
            : capacityExceeded(size);
        }
        await queue.fill(size);
        size = Math.min(size, queue.length);
      }
      const mark = core.mark();
      try {
        const at = core.alloc(size);
        queue.take(size, core.views.u8, at);
        const base = at - offset;
        const count = core.checkSegment(at, size);
        if (count < 0) throw corrupt(count, core.errorOffset(), base);
        await visit({
          core,
          start: at,
          body: at + SEGMENT_HEADER,
          next: at + size,
          count,
          base,
          offset,
        });
      } finally {
        core.reset(mark);
      }
      offset += size;
    } while (await queue.fill(1));
  } finally {
    await queue.close();
  }
  return offset;
}

/**
 * The body length of a segment whose header is `header`, once the header alone is checked (magic,
 * version, reserved, its CRC32C): a bad header throws as the whole segment's check would.
 */
function headerBody(core: Core, header: Uint8Array, offset: number): number {
  const mark = core.mark();
  try {
    const at = core.alloc(SEGMENT_HEADER);
    core.views.u8.set(header, at);
    const status = core.checkSegment(at, SEGMENT_HEADER);
    const body = core.views.dv.getUint32(at + S_BODY_LENGTH, true);
    // a sound header of a non-empty body: "truncated" at the body's length, the body is to come
    if (status < 0 && !(status === TRUNCATED && core.errorOffset() === at + S_BODY_LENGTH))
      throw corrupt(status, core.errorOffset(), at - offset);
    return body;
  } finally {
    core.reset(mark);
  }
}

/** Drops bytes until `size` have gone by or the source ends; how many went by. */
async function seenUpTo(queue: ChunkQueue, size: number): Promise<number> {
  let seen = 0;
  for (;;) {
    seen += queue.length;
    queue.take(queue.length);
    if (seen >= size || !(await queue.fill(1))) return seen;
  }
}
