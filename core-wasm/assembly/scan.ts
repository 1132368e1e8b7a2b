// Scanning a run of records for those a read wants, by position range and filter.

import { BAD_LENGTH, BY_STREAM, BY_TENANT, BY_TYPE, RECORD_HEADER, TRUNCATED } from './format';
import { dispatchGet } from './dispatch';
import { fail } from './memory';

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
