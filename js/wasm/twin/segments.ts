/**
 * Records and segments of the binary envelope format (core-wasm/FORMAT.md): checked field by field
 * (lengths, reserved bits, checksum, hashes, ranges, UTF-8) and sealed once written.
 */
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
  R_CRC,
  R_DATA_LEN,
  R_FLAGS,
  R_KIND,
  R_LENGTH,
  R_METADATA_LEN,
  R_POSITION,
  R_RESERVED,
  R_STREAM_HASH,
  R_STRING_LENS,
  R_TENANT_HASH,
  R_TYPE_HASH,
  R_VERSION,
  RECORD_HEADER,
  RESERVED,
  S_BODY_LENGTH,
  S_COUNT,
  S_FLAGS,
  S_HEADER_CRC,
  S_MAGIC,
  S_RESERVED,
  S_VERSION,
  SEGMENT_HEADER,
  SEGMENT_MAGIC,
  TRUNCATED,
  UNSUPPORTED_VERSION,
} from '../format.ts';
import { crc32c, fnv1a } from './hashes.ts';
import { fail, type Views } from './memory.ts';
import { utf8Invalid } from './utf8.ts';

/** Checks one record at `addr` with `avail` bytes readable: its length, or a negative status. */
export function checkRecord(m: Views, addr: number, avail: number): number {
  const dv = m.dv;
  if (avail < RECORD_HEADER) return fail(TRUNCATED, addr);
  const len = dv.getUint32(addr + R_LENGTH, true);
  if (len < RECORD_HEADER) return fail(BAD_LENGTH, addr);
  if (len > avail) return fail(TRUNCATED, addr);
  const kind = m.u8[addr + R_KIND]!;
  if (kind !== KIND_EVENT && kind !== KIND_COMMAND) return fail(RESERVED, addr + R_KIND);
  const flags = m.u8[addr + R_FLAGS]!;
  if ((flags & ~(FLAG_METADATA | FLAG_NO_DATA)) !== 0) return fail(RESERVED, addr + R_FLAGS);
  if (dv.getUint16(addr + R_RESERVED, true) !== 0) return fail(RESERVED, addr + R_RESERVED);
  const metaLen = dv.getUint32(addr + R_METADATA_LEN, true);
  const dataLen = dv.getUint32(addr + R_DATA_LEN, true);
  if ((flags & FLAG_METADATA) === 0 && metaLen !== 0)
    return fail(BAD_LENGTH, addr + R_METADATA_LEN);
  if ((flags & FLAG_NO_DATA) !== 0 && dataLen !== 0) return fail(BAD_LENGTH, addr + R_DATA_LEN);
  let sum = RECORD_HEADER + metaLen + dataLen;
  for (let i = 0; i < 6; i++) sum += dv.getUint16(addr + R_STRING_LENS + 2 * i, true);
  if (sum !== len) return fail(BAD_LENGTH, addr);
  if (crc32c(m, addr + R_CRC + 4, len - R_CRC - 4) !== dv.getUint32(addr + R_CRC, true))
    return fail(BAD_CHECKSUM, addr + R_CRC);
  const streamLen = dv.getUint16(addr + R_STRING_LENS, true);
  const typeLen = dv.getUint16(addr + R_STRING_LENS + 2, true);
  const tenantLen = dv.getUint16(addr + R_STRING_LENS + 4, true);
  let p = addr + RECORD_HEADER;
  if (fnv1a(m, p, streamLen) !== dv.getUint32(addr + R_STREAM_HASH, true))
    return fail(BAD_HASH, addr + R_STREAM_HASH);
  if (fnv1a(m, p + streamLen, typeLen) !== dv.getUint32(addr + R_TYPE_HASH, true))
    return fail(BAD_HASH, addr + R_TYPE_HASH);
  if (fnv1a(m, p + streamLen + typeLen, tenantLen) !== dv.getUint32(addr + R_TENANT_HASH, true))
    return fail(BAD_HASH, addr + R_TENANT_HASH);
  if (typeLen === 0) return fail(OUT_OF_RANGE, addr + R_STRING_LENS + 2);
  if (dv.getUint32(addr + R_POSITION + 4, true) > 0x1fffff)
    return fail(OUT_OF_RANGE, addr + R_POSITION);
  if (dv.getUint32(addr + R_VERSION + 4, true) > 0x1fffff)
    return fail(OUT_OF_RANGE, addr + R_VERSION);
  for (let i = 0; i < 8; i++) {
    const n =
      i < 6 ? dv.getUint16(addr + R_STRING_LENS + 2 * i, true) : i === 6 ? metaLen : dataLen;
    const bad = utf8Invalid(m, p, n);
    if (bad >= 0) return fail(BAD_UTF8, bad);
    p += n;
  }
  return len;
}

/** Checks a segment at `addr` with `avail` bytes readable: its record count, or a negative status. */
export function checkSegment(m: Views, addr: number, avail: number): number {
  const dv = m.dv;
  if (avail < SEGMENT_HEADER) return fail(TRUNCATED, addr);
  if (dv.getUint32(addr + S_MAGIC, true) !== SEGMENT_MAGIC) return fail(BAD_MAGIC, addr);
  if (m.u8[addr + S_VERSION] !== FORMAT_VERSION) return fail(UNSUPPORTED_VERSION, addr + S_VERSION);
  if (m.u8[addr + S_FLAGS] !== 0) return fail(RESERVED, addr + S_FLAGS);
  if (dv.getUint16(addr + S_RESERVED, true) !== 0) return fail(RESERVED, addr + S_RESERVED);
  if (crc32c(m, addr, S_HEADER_CRC) !== dv.getUint32(addr + S_HEADER_CRC, true))
    return fail(BAD_CHECKSUM, addr + S_HEADER_CRC);
  const body = dv.getUint32(addr + S_BODY_LENGTH, true);
  if (body > avail - SEGMENT_HEADER) return fail(TRUNCATED, addr + S_BODY_LENGTH);
  let p = addr + SEGMENT_HEADER;
  const end = p + body;
  let n = 0;
  while (p < end) {
    const r = checkRecord(m, p, end - p);
    if (r < 0) return r;
    p += r;
    n++;
  }
  if (n !== dv.getUint32(addr + S_COUNT, true)) return fail(BAD_LENGTH, addr + S_COUNT);
  return n;
}

/**
 * Completes a record whose fixed fields, lengths and strings are written: its hashes, length and
 * checksum. Returns its length.
 */
export function sealRecord(m: Views, addr: number): number {
  const dv = m.dv;
  const streamLen = dv.getUint16(addr + R_STRING_LENS, true);
  const typeLen = dv.getUint16(addr + R_STRING_LENS + 2, true);
  const tenantLen = dv.getUint16(addr + R_STRING_LENS + 4, true);
  let len = RECORD_HEADER + dv.getUint32(addr + R_METADATA_LEN, true);
  len += dv.getUint32(addr + R_DATA_LEN, true);
  for (let i = 0; i < 6; i++) len += dv.getUint16(addr + R_STRING_LENS + 2 * i, true);
  const p = addr + RECORD_HEADER;
  dv.setUint32(addr + R_STREAM_HASH, fnv1a(m, p, streamLen), true);
  dv.setUint32(addr + R_TYPE_HASH, fnv1a(m, p + streamLen, typeLen), true);
  dv.setUint32(addr + R_TENANT_HASH, fnv1a(m, p + streamLen + typeLen, tenantLen), true);
  dv.setUint32(addr + R_LENGTH, len, true);
  dv.setUint32(addr + R_CRC, crc32c(m, addr + R_CRC + 4, len - R_CRC - 4), true);
  return len;
}

/** Writes a segment header for `count` records in `bodyLength` bytes after it. */
export function sealSegment(m: Views, addr: number, count: number, bodyLength: number): void {
  const dv = m.dv;
  dv.setUint32(addr + S_MAGIC, SEGMENT_MAGIC, true);
  m.u8[addr + S_VERSION] = FORMAT_VERSION;
  m.u8[addr + S_FLAGS] = 0;
  dv.setUint16(addr + S_RESERVED, 0, true);
  dv.setUint32(addr + S_COUNT, count, true);
  dv.setUint32(addr + S_BODY_LENGTH, bodyLength, true);
  dv.setUint32(addr + S_HEADER_CRC, crc32c(m, addr, S_HEADER_CRC), true);
}
