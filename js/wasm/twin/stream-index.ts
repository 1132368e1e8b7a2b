/**
 * The stream index: (stream hash, tenant hash) to the stream's current version and last row, by
 * open addressing. Layout at `t`: capacity (u32), count (u32), then `capacity` entries of 16
 * bytes: stream hash, tenant hash, version (0 when empty), last row (i32).
 */
import {
  BAD_LENGTH,
  R_STREAM_HASH,
  R_TENANT_HASH,
  RECORD_HEADER,
  TABLE_FULL,
  TRUNCATED,
} from '../format.ts';
import { mix } from './hashes.ts';
import { fail, type Views } from './memory.ts';

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
