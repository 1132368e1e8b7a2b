// The binary envelope format, version 1 (core-wasm/FORMAT.md): sizes, flags, scan filter bits and
// the statuses a check returns; the same numbers as js/wasm/format.ts.

export const RECORD_HEADER: u32 = 68;
export const SEGMENT_HEADER: u32 = 20;
export const SEGMENT_MAGIC: u32 = 0x535a4257;
export const FORMAT_VERSION: u8 = 1;
export const KIND_EVENT: u8 = 1;
export const KIND_COMMAND: u8 = 2;
export const FLAG_METADATA: u8 = 1;
export const FLAG_NO_DATA: u8 = 2;
export const BY_STREAM: u32 = 1;
export const BY_TYPE: u32 = 2;
export const BY_TENANT: u32 = 4;

export const TRUNCATED: i32 = -1;
export const BAD_MAGIC: i32 = -2;
export const UNSUPPORTED_VERSION: i32 = -3;
export const RESERVED: i32 = -4;
export const BAD_LENGTH: i32 = -5;
export const BAD_CHECKSUM: i32 = -6;
export const BAD_HASH: i32 = -7;
export const OUT_OF_RANGE: i32 = -8;
export const BAD_UTF8: i32 = -9;
export const TABLE_FULL: i32 = -11;
