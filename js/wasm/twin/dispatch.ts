/**
 * Dispatch tables: a type hash to a handler slot, by open addressing. Layout at `t`: capacity
 * (u32), count (u32), then `capacity` entries of hash (u32) and slot (i32, -1 when empty).
 */
import { TABLE_FULL } from '../format.ts';
import { mix } from './hashes.ts';
import type { Views } from './memory.ts';

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
