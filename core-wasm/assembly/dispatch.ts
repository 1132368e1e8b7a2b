// Dispatch tables: type hash -> handler slot, by open addressing. Layout at `t`: capacity, count,
// then `capacity` entries of hash (u32) and slot (i32, -1 when empty).

import { TABLE_FULL } from './format';
import { mix } from './hashes';

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
