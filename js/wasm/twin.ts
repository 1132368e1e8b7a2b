/**
 * The pure-TypeScript twin of the WebAssembly core: the same functions, with the same arguments
 * (addresses into one memory), the same results and the same error statuses, so either can serve
 * any call. `core-wasm/assembly/index.ts` is its AssemblyScript counterpart, line for line.
 */
import {
  BAD_CHECKSUM,
  BAD_HASH,
  BAD_LENGTH,
  BAD_MAGIC,
  BAD_UTF8,
  BY_STREAM,
  BY_TENANT,
  BY_TYPE,
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
  TABLE_FULL,
  TRUNCATED,
  UNSUPPORTED_VERSION,
} from './format.ts';

/** Views of one memory; rebuilt by its owner whenever the memory grows. */
export interface Views {
  u8: Uint8Array;
  dv: DataView;
}

/** Views over a byte array (addresses are offsets into it). */
export function viewsOf(bytes: Uint8Array): Views {
  return { u8: bytes, dv: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

let errorAt = 0;
/** Address of the field the last failed check stopped at. */
export function errorOffset(): number {
  return errorAt;
}
const fail = (status: number, at: number): number => {
  errorAt = at;
  return status;
};

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

const u64 = (dv: DataView, at: number): number =>
  dv.getUint32(at, true) + dv.getUint32(at + 4, true) * 0x100000000;

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

const mix = (h: number): number => Math.imul(h, 0x9e3779b1) >>> 0;

/** Makes an empty dispatch table of `capacity` (a power of two) slots at `t`. */
export function dispatchInit(m: Views, t: number, capacity: number): void {
  const dv = m.dv;
  dv.setUint32(t, capacity, true);
  dv.setUint32(t + 4, 0, true);
  for (let i = 0; i < capacity; i++) {
    dv.setUint32(t + 8 + 8 * i, 0, true);
    dv.setInt32(t + 12 + 8 * i, -1, true);
  }
}

/** Maps a type hash to a handler slot (≥ 0). Returns 0, or TABLE_FULL past 3/4 of capacity. */
export function dispatchSet(m: Views, t: number, hash: number, slot: number): number {
  const dv = m.dv;
  const cap = dv.getUint32(t, true);
  let i = mix(hash) & (cap - 1);
  for (;;) {
    const at = t + 8 + 8 * i;
    if (dv.getInt32(at + 4, true) < 0) {
      const count = dv.getUint32(t + 4, true);
      if ((count + 1) * 4 > cap * 3) return TABLE_FULL;
      dv.setUint32(t + 4, count + 1, true);
      dv.setUint32(at, hash, true);
      dv.setInt32(at + 4, slot, true);
      return 0;
    }
    if (dv.getUint32(at, true) === hash >>> 0) {
      dv.setInt32(at + 4, slot, true);
      return 0;
    }
    i = (i + 1) & (cap - 1);
  }
}

/** The handler slot of a type hash, or -1. */
export function dispatchGet(m: Views, t: number, hash: number): number {
  const dv = m.dv;
  const cap = dv.getUint32(t, true);
  let i = mix(hash) & (cap - 1);
  for (;;) {
    const at = t + 8 + 8 * i;
    const slot = dv.getInt32(at + 4, true);
    if (slot < 0 || dv.getUint32(at, true) === hash >>> 0) return slot;
    i = (i + 1) & (cap - 1);
  }
}

/**
 * Scans the records in `[start, end)`: writes the address of each one whose position is in
 * `[minPos, maxPos]` and that matches the filter (`by`: stream hash, types in the dispatch table
 * `table`, tenant hash) at `out` (u32 each), its handler slot at `outSlots` when not 0, and stops
 * after `outCap`. Returns how many it wrote, or a negative status for a record that does not fit.
 */
export function scan(
  m: Views,
  start: number,
  end: number,
  by: number,
  streamHash: number,
  table: number,
  tenantHash: number,
  minPos: number,
  maxPos: number,
  out: number,
  outSlots: number,
  outCap: number,
): number {
  const dv = m.dv;
  let p = start;
  let n = 0;
  streamHash >>>= 0;
  tenantHash >>>= 0;
  while (p < end && n < outCap) {
    if (end - p < RECORD_HEADER) return fail(TRUNCATED, p);
    const len = dv.getUint32(p, true);
    if (len < RECORD_HEADER || len > end - p) return fail(BAD_LENGTH, p);
    const pos = u64(dv, p + R_POSITION);
    if (
      pos >= minPos &&
      pos <= maxPos &&
      ((by & BY_STREAM) === 0 || dv.getUint32(p + R_STREAM_HASH, true) === streamHash) &&
      ((by & BY_TENANT) === 0 || dv.getUint32(p + R_TENANT_HASH, true) === tenantHash)
    ) {
      const slot =
        (by & BY_TYPE) === 0 ? 0 : dispatchGet(m, table, dv.getUint32(p + R_TYPE_HASH, true));
      if (slot >= 0) {
        dv.setUint32(out + 4 * n, p, true);
        if (outSlots !== 0) dv.setInt32(outSlots + 4 * n, slot, true);
        n++;
      }
    }
    p += len;
  }
  return n;
}

/** Makes an empty stream index of `capacity` (a power of two) streams at `t`. */
export function indexInit(m: Views, t: number, capacity: number): void {
  m.dv.setUint32(t, capacity, true);
  m.dv.setUint32(t + 4, 0, true);
  m.u8.fill(0, t + 8, t + 8 + 16 * capacity);
}

/** Address of the index entry of (stream hash, tenant hash), or -1. */
export function indexFind(m: Views, t: number, streamHash: number, tenantHash: number): number {
  const dv = m.dv;
  const cap = dv.getUint32(t, true);
  let i = mix(streamHash ^ Math.imul(tenantHash, 0x85ebca6b)) & (cap - 1);
  for (;;) {
    const at = t + 8 + 16 * i;
    if (dv.getUint32(at + 8, true) === 0) return -1;
    if (
      dv.getUint32(at, true) === streamHash >>> 0 &&
      dv.getUint32(at + 4, true) === tenantHash >>> 0
    )
      return at;
    i = (i + 1) & (cap - 1);
  }
}

/**
 * Indexes the records in `[start, end)` into the stream index `t` (entries: stream hash, tenant
 * hash, current version, last row): record i gets its version in its stream at `outVer` and the
 * row of the stream's previous record (or -1) at `outPrev`, rows numbered from `firstRow`.
 * Returns the number of records, or a negative status (TABLE_FULL past 3/4 of the table or
 * beyond `cap` rows).
 */
export function indexBuild(
  m: Views,
  t: number,
  start: number,
  end: number,
  firstRow: number,
  outPrev: number,
  outVer: number,
  cap: number,
): number {
  const dv = m.dv;
  const tcap = dv.getUint32(t, true);
  let p = start;
  let i = 0;
  while (p < end) {
    if (i >= cap) return TABLE_FULL;
    if (end - p < RECORD_HEADER) return fail(TRUNCATED, p);
    const len = dv.getUint32(p, true);
    if (len < RECORD_HEADER || len > end - p) return fail(BAD_LENGTH, p);
    const sh = dv.getUint32(p + R_STREAM_HASH, true);
    const th = dv.getUint32(p + R_TENANT_HASH, true);
    let k = mix(sh ^ Math.imul(th, 0x85ebca6b)) & (tcap - 1);
    let at: number;
    for (;;) {
      at = t + 8 + 16 * k;
      if (dv.getUint32(at + 8, true) === 0) {
        const count = dv.getUint32(t + 4, true);
        if ((count + 1) * 4 > tcap * 3) return TABLE_FULL;
        dv.setUint32(t + 4, count + 1, true);
        dv.setUint32(at, sh, true);
        dv.setUint32(at + 4, th, true);
        dv.setInt32(at + 12, -1, true);
        break;
      }
      if (dv.getUint32(at, true) === sh && dv.getUint32(at + 4, true) === th) break;
      k = (k + 1) & (tcap - 1);
    }
    const version = dv.getUint32(at + 8, true) + 1;
    dv.setInt32(outPrev + 4 * i, dv.getInt32(at + 12, true), true);
    dv.setUint32(outVer + 4 * i, version, true);
    dv.setUint32(at + 8, version, true);
    dv.setInt32(at + 12, firstRow + i, true);
    p += len;
    i++;
  }
  return i;
}
