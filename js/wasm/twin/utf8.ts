/** UTF-8 validation of the strings and payloads a record carries. */
import type { Views } from './memory.ts';

/** Address of the first byte that makes `len` bytes at `addr` invalid UTF-8, or -1. */
export function utf8Invalid(m: Views, addr: number, len: number): number {
  const u8 = m.u8;
  const end = addr + len;
  let p = addr;
  while (p < end) {
    const b = u8[p]!;
    if (b < 0x80) {
      p++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return p;
    if (p + need >= end) return p; // fewer bytes left than the lead byte needs
    const second = u8[p + 1]!;
    if (second < lo || second > hi) return p;
    for (let k = 2; k <= need; k++) if ((u8[p + k]! & 0xc0) !== 0x80) return p;
    p += need + 1;
  }
  return -1;
}
