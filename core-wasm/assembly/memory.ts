// The one linear memory: a bump allocator above the static data (JavaScript rebuilds its views
// after any alloc), and the address the last failed check stopped at.

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


/** Notes `at` as where a check stopped, and returns its `status`. */
@inline export function fail(status: i32, at: usize): i32 {
  errorAt = at;
  return status;
}
