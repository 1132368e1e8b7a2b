/** The checksum and hashes of the format: CRC32C over records and headers, FNV-1a of strings. */
import type { Views } from './memory.ts';

// CRC32C, slicing by 8: eight 256-entry tables
const CRC = new Int32Array(8 * 256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  CRC[i] = c;
}
for (let i = 0; i < 256; i++) {
  for (let t = 1; t < 8; t++) {
    const prev = CRC[(t - 1) * 256 + i]!;
    CRC[t * 256 + i] = (prev >>> 8) ^ CRC[prev & 0xff]!;
  }
}

/** CRC32C of `len` bytes at `addr`, continuing from `seed` (0 to start). */
export function crc32c(m: Views, addr: number, len: number, seed = 0): number {
  const u8 = m.u8;
  const t = CRC;
  let c = ~seed;
  let p = addr;
  const end = addr + len;
  for (; p + 8 <= end; p += 8) {
    c ^= u8[p]! | (u8[p + 1]! << 8) | (u8[p + 2]! << 16) | (u8[p + 3]! << 24);
    c =
      t[1792 + (c & 0xff)]! ^
      t[1536 + ((c >>> 8) & 0xff)]! ^
      t[1280 + ((c >>> 16) & 0xff)]! ^
      t[1024 + (c >>> 24)]! ^
      t[768 + u8[p + 4]!]! ^
      t[512 + u8[p + 5]!]! ^
      t[256 + u8[p + 6]!]! ^
      t[u8[p + 7]!]!;
  }
  for (; p < end; p++) c = (c >>> 8) ^ t[(c ^ u8[p]!) & 0xff]!;
  return ~c >>> 0;
}

/** FNV-1a (32 bits) of `len` bytes at `addr`. */
export function fnv1a(m: Views, addr: number, len: number): number {
  const u8 = m.u8;
  let h = 0x811c9dc5;
  for (let p = addr, end = addr + len; p < end; p++) h = Math.imul(h ^ u8[p]!, 0x01000193);
  return h >>> 0;
}

/** Spreads a hash over the slots of an open-addressing table (dispatch table, stream index). */
export const mix = (h: number): number => Math.imul(h, 0x9e3779b1) >>> 0;
