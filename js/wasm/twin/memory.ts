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
  return { u8: bytes, dv: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
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
