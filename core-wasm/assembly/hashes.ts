// The checksum and hashes of the format: CRC32C (slicing by 8) over records and headers, FNV-1a
// of strings, and the mix that spreads a hash over the slots of an open-addressing table.

const CRC: usize = memory.data(8 * 256 * 4, 16);

function crcInit(): void {
  for (let i: u32 = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    store<u32>(CRC + (i << 2), c);
  }
  for (let i: u32 = 0; i < 256; i++) {
    for (let t: u32 = 1; t < 8; t++) {
      const prev = load<u32>(CRC + (((t - 1) * 256 + i) << 2));
      store<u32>(CRC + ((t * 256 + i) << 2), (prev >>> 8) ^ load<u32>(CRC + ((prev & 0xff) << 2)));
    }
  }
}
crcInit();

@inline function T(table: u32, i: u32): u32 {
  return load<u32>(CRC + (((table << 8) + i) << 2));
}

/** CRC32C of `len` bytes at `addr`, continuing from `seed` (0 to start). */
export function crc32c(addr: usize, len: u32, seed: u32): u32 {
  let c = ~seed;
  let p = addr;
  const end = addr + len;
  while (p + 8 <= end) {
    const w = load<u64>(p);
    c ^= <u32>w;
    const h = <u32>(w >>> 32);
    c =
      T(7, c & 0xff) ^
      T(6, (c >>> 8) & 0xff) ^
      T(5, (c >>> 16) & 0xff) ^
      T(4, c >>> 24) ^
      T(3, h & 0xff) ^
      T(2, (h >>> 8) & 0xff) ^
      T(1, (h >>> 16) & 0xff) ^
      T(0, h >>> 24);
    p += 8;
  }
  while (p < end) {
    c = (c >>> 8) ^ T(0, (c ^ <u32>load<u8>(p)) & 0xff);
    p++;
  }
  return ~c;
}

/** FNV-1a (32 bits) of `len` bytes at `addr`. */
export function fnv1a(addr: usize, len: u32): u32 {
  let h: u32 = 0x811c9dc5;
  const end = addr + len;
  for (let p = addr; p < end; p++) h = (h ^ <u32>load<u8>(p)) * 0x01000193;
  return h;
}

/** Spreads a hash over the slots of a table (dispatch table, stream index). */
@inline export function mix(h: u32): u32 {
  return h * 0x9e3779b1;
}
