// UTF-8 validation of the strings and payloads a record carries, sixteen ASCII bytes at a time.

/** Address of the first byte that makes `len` bytes at `addr` invalid UTF-8, or -1. */
export function utf8Invalid(addr: usize, len: u32): isize {
  const end = addr + len;
  let p = addr;
  while (p < end) {
    // sixteen ASCII bytes at a time
    if (p + 16 <= end) {
      const mask = i8x16.bitmask(v128.load(p));
      if (mask == 0) {
        p += 16;
        continue;
      }
      p += ctz(mask);
    }
    const b = <u32>load<u8>(p);
    if (b < 0x80) {
      p++;
      continue;
    }
    let need: u32;
    let lo: u32 = 0x80;
    let hi: u32 = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b == 0xe0) lo = 0xa0;
      else if (b == 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b == 0xf0) lo = 0x90;
      else if (b == 0xf4) hi = 0x8f;
    } else return <isize>p;
    if (p + need >= end) return <isize>p;
    const second = <u32>load<u8>(p + 1);
    if (second < lo || second > hi) return <isize>p;
    for (let k: u32 = 2; k <= need; k++) if ((<u32>load<u8>(p + k) & 0xc0) != 0x80) return <isize>p;
    p += need + 1;
  }
  return -1;
}
