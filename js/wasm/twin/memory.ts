/**
 * The memory the twin's functions address, and the address the last failed check stopped at
 * (what the WebAssembly core keeps in a global, the twin keeps here).
 */

/** Views of one memory; rebuilt by its owner whenever the memory grows. */
export interface Views {
  /** The memory as bytes. */
  u8: Uint8Array;
  /** The same memory, for reading and writing numbers. */
  dv: DataView;
}

/** Views over a byte array (addresses are offsets into it). */
export function viewsOf(bytes: Uint8Array): Views {
  // a subclass (Node's Buffer, what network clients hand over) makes each subarray and slice of
  // it slower: read through a plain view of the same bytes
  const u8 =
    Object.getPrototypeOf(bytes) === Uint8Array.prototype
      ? bytes
      : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { u8, dv: new DataView(u8.buffer, u8.byteOffset, u8.byteLength) };
}

let errorAt = 0;
/** Address of the field the last failed check stopped at. */
export function errorOffset(): number {
  return errorAt;
}

/** Notes `at` as where a check stopped, and returns its `status`. */
export const fail = (status: number, at: number): number => {
  errorAt = at;
  return status;
};
