/**
 * The binary envelope format, version 1 (spec: `core-wasm/FORMAT.md`): offsets, sizes and the
 * reasons a reader gives for bad bytes. Shared by the TypeScript twin, the loader and the codec;
 * `core-wasm/assembly/format.ts` holds the same numbers for the WebAssembly core.
 */

/** Format version written into every segment header. */
export const FORMAT_VERSION = 1;
/** Bytes of a record's fixed header. */
export const RECORD_HEADER = 68;
/** Bytes of a segment's header. */
export const SEGMENT_HEADER = 20;
/** `"WBZS"` read as a little-endian u32. */
export const SEGMENT_MAGIC = 0x535a4257;

// record header offsets
export const R_LENGTH = 0;
export const R_CRC = 4;
export const R_KIND = 8;
export const R_FLAGS = 9;
export const R_RESERVED = 10;
export const R_STREAM_HASH = 12;
export const R_TYPE_HASH = 16;
export const R_TENANT_HASH = 20;
export const R_POSITION = 24;
export const R_VERSION = 32;
export const R_TIMESTAMP = 40;
/** Six u16 string lengths: stream, type, tenant, message id, correlation id, causation id. */
export const R_STRING_LENS = 48;
export const R_METADATA_LEN = 60;
export const R_DATA_LEN = 64;

export const KIND_EVENT = 1;
export const KIND_COMMAND = 2;
export const FLAG_METADATA = 1;
export const FLAG_NO_DATA = 2;

// segment header offsets
export const S_MAGIC = 0;
export const S_VERSION = 4;
export const S_FLAGS = 5;
export const S_RESERVED = 6;
export const S_COUNT = 8;
export const S_BODY_LENGTH = 12;
export const S_HEADER_CRC = 16;

/** Scan filter bits. */
export const BY_STREAM = 1;
export const BY_TYPE = 2;
export const BY_TENANT = 4;

/** Why bytes were refused; the core returns the negated index + 1 (`-1` = truncated). */
export const CORRUPT_REASONS = [
  'truncated',
  'bad-magic',
  'unsupported-version',
  'reserved',
  'bad-length',
  'bad-checksum',
  'bad-hash',
  'out-of-range',
  'bad-utf8',
  'bad-json',
] as const;

/** Why bytes were refused: see the table in `core-wasm/FORMAT.md`. */
export type CorruptReason = (typeof CORRUPT_REASONS)[number];

export const TRUNCATED = -1;
export const BAD_MAGIC = -2;
export const UNSUPPORTED_VERSION = -3;
export const RESERVED = -4;
export const BAD_LENGTH = -5;
export const BAD_CHECKSUM = -6;
export const BAD_HASH = -7;
export const OUT_OF_RANGE = -8;
export const BAD_UTF8 = -9;
export const BAD_JSON = -10;
/** Not corrupt data: a table given to the core is full. */
export const TABLE_FULL = -11;

/** The reason for a negative status from a check. */
export function reasonOf(status: number): CorruptReason {
  return CORRUPT_REASONS[-status - 1] ?? 'truncated';
}
