// The WebAssembly core of Whizbang: the binary envelope format (core-wasm/FORMAT.md) checked,
// sealed, scanned and indexed over one linear memory. Raw exports with number arguments only;
// js/wasm/twin.ts is its TypeScript twin, function for function, status for status.

// record header offsets and statuses: the same numbers as js/wasm/format.ts
const RECORD_HEADER: u32 = 68;
const SEGMENT_HEADER: u32 = 20;
const SEGMENT_MAGIC: u32 = 0x535a4257;
const FORMAT_VERSION: u8 = 1;
const KIND_EVENT: u8 = 1;
const KIND_COMMAND: u8 = 2;
const FLAG_METADATA: u8 = 1;
const FLAG_NO_DATA: u8 = 2;
const BY_STREAM: u32 = 1;
const BY_TYPE: u32 = 2;
const BY_TENANT: u32 = 4;

const TRUNCATED: i32 = -1;
const BAD_MAGIC: i32 = -2;
const UNSUPPORTED_VERSION: i32 = -3;
const RESERVED: i32 = -4;
const BAD_LENGTH: i32 = -5;
const BAD_CHECKSUM: i32 = -6;
const BAD_HASH: i32 = -7;
const OUT_OF_RANGE: i32 = -8;
const BAD_UTF8: i32 = -9;
const TABLE_FULL: i32 = -11;

// ---- memory: a bump allocator above the static data; JS rebuilds its views after any alloc

let top: usize = (__heap_base + 15) & ~(<usize>15);
let errorAt: usize = 0;

/** Reserves `size` bytes (8-aligned); 0 when the memory cap is reached. */
export function alloc(size: u32): usize {
  const ptr = top;
  const next: u64 = (<u64>ptr + <u64>size + 7) & ~(<u64>7);
  const have: u64 = <u64>memory.size() << 16;
  if (next > have) {
    const need = <i32>((next - have + 0xffff) >> 16);
    const extra = max(need, memory.size() >> 3);
    if (memory.grow(extra) < 0 && memory.grow(need) < 0) return 0;
  }
  top = <usize>next;
  return ptr;
}

/** The allocator's current top, to give back scratch space with `reset`. */
export function mark(): usize {
  return top;
}

/** Frees everything allocated since `mark()` returned `to`. */
export function reset(to: usize): void {
  if (to <= top && to >= ((__heap_base + 15) & ~(<usize>15))) top = to;
}

/** Address of the field the last failed check stopped at. */
export function errorOffset(): usize {
  return errorAt;
}

@inline function fail(status: i32, at: usize): i32 {
  errorAt = at;
  return status;
}

// ---- CRC32C, slicing by 8

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

// ---- dispatch tables: type hash -> handler slot, open addressing

@inline function mix(h: u32): u32 {
  return h * 0x9e3779b1;
}

/** Makes an empty dispatch table of `capacity` (a power of two) slots at `t`. */
export function dispatchInit(t: usize, capacity: u32): void {
  store<u32>(t, capacity);
  store<u32>(t + 4, 0);
  for (let i: usize = 0; i < capacity; i++) {
    store<u32>(t + 8 + 8 * i, 0);
    store<i32>(t + 12 + 8 * i, -1);
  }
}

/** Maps a type hash to a handler slot (≥ 0). Returns 0, or TABLE_FULL past 3/4 of capacity. */
export function dispatchSet(t: usize, hash: u32, slot: i32): i32 {
  const cap = load<u32>(t);
  let i = mix(hash) & (cap - 1);
  while (true) {
    const at = t + 8 + 8 * <usize>i;
    if (load<i32>(at + 4) < 0) {
      const count = load<u32>(t + 4);
      if ((count + 1) * 4 > cap * 3) return TABLE_FULL;
      store<u32>(t + 4, count + 1);
      store<u32>(at, hash);
      store<i32>(at + 4, slot);
      return 0;
    }
    if (load<u32>(at) == hash) {
      store<i32>(at + 4, slot);
      return 0;
    }
    i = (i + 1) & (cap - 1);
  }
}

/** The handler slot of a type hash, or -1. */
export function dispatchGet(t: usize, hash: u32): i32 {
  const cap = load<u32>(t);
  let i = mix(hash) & (cap - 1);
  while (true) {
    const at = t + 8 + 8 * <usize>i;
    const slot = load<i32>(at + 4);
    if (slot < 0 || load<u32>(at) == hash) return slot;
    i = (i + 1) & (cap - 1);
  }
}

/**
 * Scans the records in `[start, end)`: writes the address of each one in the position range that
 * matches the filter at `out`, its handler slot at `outSlots` (when not 0), up to `outCap`.
 */
export function scan(
  start: usize,
  end: usize,
  by: u32,
  streamHash: u32,
  table: usize,
  tenantHash: u32,
  minPos: f64,
  maxPos: f64,
  out: usize,
  outSlots: usize,
  outCap: u32,
): i32 {
  let p = start;
  let n: u32 = 0;
  while (p < end && n < outCap) {
    if (end - p < RECORD_HEADER) return fail(TRUNCATED, p);
    const len = load<u32>(p);
    if (len < RECORD_HEADER || <usize>len > end - p) return fail(BAD_LENGTH, p);
    const pos = <f64>load<u64>(p + 24);
    if (
      pos >= minPos &&
      pos <= maxPos &&
      ((by & BY_STREAM) == 0 || load<u32>(p + 12) == streamHash) &&
      ((by & BY_TENANT) == 0 || load<u32>(p + 20) == tenantHash)
    ) {
      const slot: i32 = (by & BY_TYPE) == 0 ? 0 : dispatchGet(table, load<u32>(p + 16));
      if (slot >= 0) {
        store<u32>(out + 4 * <usize>n, <u32>p);
        if (outSlots != 0) store<i32>(outSlots + 4 * <usize>n, slot);
        n++;
      }
    }
    p += len;
  }
  return <i32>n;
}

// ---- stream index: (stream hash, tenant hash) -> current version, last row

@inline function streamKey(sh: u32, th: u32): u32 {
  return mix(sh ^ (th * 0x85ebca6b));
}

/** Makes an empty stream index of `capacity` (a power of two) streams at `t`. */
export function indexInit(t: usize, capacity: u32): void {
  store<u32>(t, capacity);
  store<u32>(t + 4, 0);
  memory.fill(t + 8, 0, 16 * <usize>capacity);
}

/** Address of the index entry of (stream hash, tenant hash), or -1. */
export function indexFind(t: usize, streamHash: u32, tenantHash: u32): isize {
  const cap = load<u32>(t);
  let i = streamKey(streamHash, tenantHash) & (cap - 1);
  while (true) {
    const at = t + 8 + 16 * <usize>i;
    if (load<u32>(at + 8) == 0) return -1;
    if (load<u32>(at) == streamHash && load<u32>(at + 4) == tenantHash) return <isize>at;
    i = (i + 1) & (cap - 1);
  }
}

/** Indexes the records in `[start, end)` into the stream index `t`; see the twin for details. */
export function indexBuild(
  t: usize,
  start: usize,
  end: usize,
  firstRow: i32,
  outPrev: usize,
  outVer: usize,
  cap: u32,
): i32 {
  const tcap = load<u32>(t);
  let p = start;
  let i: u32 = 0;
  while (p < end) {
    if (i >= cap) return TABLE_FULL;
    if (end - p < RECORD_HEADER) return fail(TRUNCATED, p);
    const len = load<u32>(p);
    if (len < RECORD_HEADER || <usize>len > end - p) return fail(BAD_LENGTH, p);
    const sh = load<u32>(p + 12);
    const th = load<u32>(p + 20);
    let k = streamKey(sh, th) & (tcap - 1);
    let at: usize;
    while (true) {
      at = t + 8 + 16 * <usize>k;
      if (load<u32>(at + 8) == 0) {
        const count = load<u32>(t + 4);
        if ((count + 1) * 4 > tcap * 3) return TABLE_FULL;
        store<u32>(t + 4, count + 1);
        store<u32>(at, sh);
        store<u32>(at + 4, th);
        store<i32>(at + 12, -1);
        break;
      }
      if (load<u32>(at) == sh && load<u32>(at + 4) == th) break;
      k = (k + 1) & (tcap - 1);
    }
    const version = load<u32>(at + 8) + 1;
    store<i32>(outPrev + 4 * <usize>i, load<i32>(at + 12));
    store<u32>(outVer + 4 * <usize>i, version);
    store<u32>(at + 8, version);
    store<i32>(at + 12, firstRow + <i32>i);
    p += len;
    i++;
  }
  return <i32>i;
}
