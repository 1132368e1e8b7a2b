/** Scanning a run of records for those a read wants, by position range and filter. */
import {
  BAD_LENGTH,
  BY_STREAM,
  BY_TENANT,
  BY_TYPE,
  R_POSITION,
  R_STREAM_HASH,
  R_TENANT_HASH,
  R_TYPE_HASH,
  RECORD_HEADER,
  TRUNCATED,
} from '../format.ts';
import { dispatchGet } from './dispatch.ts';
import { fail, type Views } from './memory.ts';

const u64 = (dv: DataView, at: number): number =>
  dv.getUint32(at, true) + dv.getUint32(at + 4, true) * 0x100000000;

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
