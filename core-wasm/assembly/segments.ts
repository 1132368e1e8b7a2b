// Records and segments: checked field by field (lengths, reserved bits, checksum, hashes, ranges,
// UTF-8) and sealed once written.

import {
  BAD_CHECKSUM,
  BAD_HASH,
  BAD_LENGTH,
  BAD_MAGIC,
  BAD_UTF8,
  FLAG_METADATA,
  FLAG_NO_DATA,
  FORMAT_VERSION,
  KIND_COMMAND,
  KIND_EVENT,
  OUT_OF_RANGE,
  RECORD_HEADER,
  RESERVED,
  SEGMENT_HEADER,
  SEGMENT_MAGIC,
  TRUNCATED,
  UNSUPPORTED_VERSION,
} from './format';
import { crc32c, fnv1a } from './hashes';
import { fail } from './memory';
import { utf8Invalid } from './utf8';

@inline function u16at(p: usize): u32 {
  return <u32>load<u16>(p);
}

/** Checks one record at `addr` with `avail` bytes readable: its length, or a negative status. */
export function checkRecord(addr: usize, avail: u32): i32 {
  if (avail < RECORD_HEADER) return fail(TRUNCATED, addr);
  const len = load<u32>(addr);
  if (len < RECORD_HEADER) return fail(BAD_LENGTH, addr);
  if (len > avail) return fail(TRUNCATED, addr);
  const kind = load<u8>(addr + 8);
  if (kind != KIND_EVENT && kind != KIND_COMMAND) return fail(RESERVED, addr + 8);
  const flags = load<u8>(addr + 9);
  if ((flags & ~(FLAG_METADATA | FLAG_NO_DATA)) != 0) return fail(RESERVED, addr + 9);
  if (load<u16>(addr + 10) != 0) return fail(RESERVED, addr + 10);
  const metaLen = load<u32>(addr + 60);
  const dataLen = load<u32>(addr + 64);
  if ((flags & FLAG_METADATA) == 0 && metaLen != 0) return fail(BAD_LENGTH, addr + 60);
  if ((flags & FLAG_NO_DATA) != 0 && dataLen != 0) return fail(BAD_LENGTH, addr + 64);
  let sum: u64 = <u64>RECORD_HEADER + <u64>metaLen + <u64>dataLen;
  for (let i: usize = 0; i < 6; i++) sum += <u64>u16at(addr + 48 + 2 * i);
  if (sum != <u64>len) return fail(BAD_LENGTH, addr);
  if (crc32c(addr + 8, len - 8, 0) != load<u32>(addr + 4)) return fail(BAD_CHECKSUM, addr + 4);
  const streamLen = u16at(addr + 48);
  const typeLen = u16at(addr + 50);
  const tenantLen = u16at(addr + 52);
  let p = addr + RECORD_HEADER;
  if (fnv1a(p, streamLen) != load<u32>(addr + 12)) return fail(BAD_HASH, addr + 12);
  if (fnv1a(p + streamLen, typeLen) != load<u32>(addr + 16)) return fail(BAD_HASH, addr + 16);
  if (fnv1a(p + streamLen + typeLen, tenantLen) != load<u32>(addr + 20))
    return fail(BAD_HASH, addr + 20);
  if (typeLen == 0) return fail(OUT_OF_RANGE, addr + 50);
  if (load<u32>(addr + 28) > 0x1fffff) return fail(OUT_OF_RANGE, addr + 24);
  if (load<u32>(addr + 36) > 0x1fffff) return fail(OUT_OF_RANGE, addr + 32);
  for (let i: usize = 0; i < 8; i++) {
    const n: u32 = i < 6 ? u16at(addr + 48 + 2 * i) : i == 6 ? metaLen : dataLen;
    const bad = utf8Invalid(p, n);
    if (bad >= 0) return fail(BAD_UTF8, <usize>bad);
    p += n;
  }
  return <i32>len;
}

/** Checks a segment at `addr` with `avail` bytes readable: its record count, or a negative status. */
export function checkSegment(addr: usize, avail: u32): i32 {
  if (avail < SEGMENT_HEADER) return fail(TRUNCATED, addr);
  if (load<u32>(addr) != SEGMENT_MAGIC) return fail(BAD_MAGIC, addr);
  if (load<u8>(addr + 4) != FORMAT_VERSION) return fail(UNSUPPORTED_VERSION, addr + 4);
  if (load<u8>(addr + 5) != 0) return fail(RESERVED, addr + 5);
  if (load<u16>(addr + 6) != 0) return fail(RESERVED, addr + 6);
  if (crc32c(addr, 16, 0) != load<u32>(addr + 16)) return fail(BAD_CHECKSUM, addr + 16);
  const body = load<u32>(addr + 12);
  if (body > avail - SEGMENT_HEADER) return fail(TRUNCATED, addr + 12);
  let p = addr + SEGMENT_HEADER;
  const end = p + body;
  let n: u32 = 0;
  while (p < end) {
    const r = checkRecord(p, <u32>(end - p));
    if (r < 0) return r;
    p += <usize>r;
    n++;
  }
  if (n != load<u32>(addr + 8)) return fail(BAD_LENGTH, addr + 8);
  return <i32>n;
}

/** Completes a record whose fixed fields, lengths and strings are written. Returns its length. */
export function sealRecord(addr: usize): u32 {
  const streamLen = u16at(addr + 48);
  const typeLen = u16at(addr + 50);
  const tenantLen = u16at(addr + 52);
  let len: u32 = RECORD_HEADER + load<u32>(addr + 60) + load<u32>(addr + 64);
  for (let i: usize = 0; i < 6; i++) len += u16at(addr + 48 + 2 * i);
  const p = addr + RECORD_HEADER;
  store<u32>(addr + 12, fnv1a(p, streamLen));
  store<u32>(addr + 16, fnv1a(p + streamLen, typeLen));
  store<u32>(addr + 20, fnv1a(p + streamLen + typeLen, tenantLen));
  store<u32>(addr, len);
  store<u32>(addr + 4, crc32c(addr + 8, len - 8, 0));
  return len;
}

/** Writes a segment header for `count` records in `bodyLength` bytes after it. */
export function sealSegment(addr: usize, count: u32, bodyLength: u32): void {
  store<u32>(addr, SEGMENT_MAGIC);
  store<u8>(addr + 4, FORMAT_VERSION);
  store<u8>(addr + 5, 0);
  store<u16>(addr + 6, 0);
  store<u32>(addr + 8, count);
  store<u32>(addr + 12, bodyLength);
  store<u32>(addr + 16, crc32c(addr, 16, 0));
}
