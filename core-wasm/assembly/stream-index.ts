// The stream index: (stream hash, tenant hash) -> current version, last row, by open addressing.
// Layout at `t`: capacity, count, then `capacity` entries of 16 bytes: stream hash, tenant hash,
// version (0 when empty), last row (i32).

import { BAD_LENGTH, RECORD_HEADER, TABLE_FULL, TRUNCATED } from './format';
import { mix } from './hashes';
import { fail } from './memory';

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
