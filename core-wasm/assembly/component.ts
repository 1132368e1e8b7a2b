// The same core behind the WebAssembly Component Model's canonical ABI (core-wasm/wit/): lists
// arrive through `cabi_realloc`, results leave through a return area. Its exports are renamed
// to the WIT names by core-wasm/component.mjs. Memory is given back at the start of the next call.
import { alloc, checkSegment, crc32c, errorOffset, fnv1a, mark, reset, sealRecord, sealSegment } from './index';
import { RECORD_HEADER } from './format';

let base: usize = 0;
let finished = true;

export function cabi_realloc(oldPtr: usize, oldSize: usize, align: usize, newSize: usize): usize {
  if (finished) {
    if (base == 0) base = mark();
    else reset(base);
    finished = false;
  }
  const p = alloc(<u32>newSize);
  if (p == 0) unreachable();
  if (oldPtr != 0) memory.copy(p, oldPtr, min(oldSize, newSize));
  return p;
}

export function c_crc32c(ptr: usize, len: u32): u32 {
  finished = true;
  return crc32c(ptr, len, 0);
}

export function c_fnv1a(ptr: usize, len: u32): u32 {
  finished = true;
  return fnv1a(ptr, len);
}

function corrupt(ret: usize, status: i32, at: usize, ptr: usize): usize {
  store<u8>(ret, 1);
  store<u8>(ret + 4, <u8>-status);
  store<u32>(ret + 8, <u32>(at - ptr));
  return ret;
}

export function c_check_segment(ptr: usize, len: u32): usize {
  finished = true;
  const ret = alloc(12);
  const end = ptr + len;
  let p = ptr;
  let total: u32 = 0;
  do {
    const n = checkSegment(p, <u32>(end - p));
    if (n < 0) return corrupt(ret, n, errorOffset(), ptr);
    total += <u32>n;
    p += 20 + <usize>load<u32>(p + 12);
  } while (p < end);
  store<u8>(ret, 0);
  store<u32>(ret + 4, total);
  return ret;
}

export function c_seal_record(ptr: usize, len: u32): usize {
  finished = true;
  const ret = alloc(12);
  if (len < RECORD_HEADER) return corrupt(ret, -1, ptr, ptr);
  let sum: u64 = <u64>RECORD_HEADER + <u64>load<u32>(ptr + 60) + <u64>load<u32>(ptr + 64);
  for (let i: usize = 0; i < 6; i++) sum += <u64>load<u16>(ptr + 48 + 2 * i);
  if (sum != <u64>len) return corrupt(ret, -5, ptr, ptr);
  const n = sealRecord(ptr);
  store<u8>(ret, 0);
  store<u32>(ret + 4, <u32>ptr);
  store<u32>(ret + 8, n);
  return ret;
}

export function c_seal_segment(ptr: usize, len: u32, count: u32): usize {
  finished = true;
  const out = alloc(20 + len);
  memory.copy(out + 20, ptr, len);
  sealSegment(out, count, len);
  const ret = alloc(8);
  store<u32>(ret, <u32>out);
  store<u32>(ret + 4, 20 + len);
  return ret;
}
