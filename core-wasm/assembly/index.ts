// The WebAssembly core of Whizbang: the binary envelope format (core-wasm/FORMAT.md) checked,
// sealed, scanned and indexed over one linear memory. Raw exports with number arguments only;
// js/wasm/twin.ts is its TypeScript twin, function for function, status for status, and its parts
// (js/wasm/twin/) match the files here.

export { alloc, errorOffset, mark, reset } from './memory';
export { crc32c, fnv1a } from './hashes';
export { utf8Invalid } from './utf8';
export { checkRecord, checkSegment, sealRecord, sealSegment } from './segments';
export { dispatchGet, dispatchInit, dispatchSet } from './dispatch';
export { scan } from './scan';
export { indexBuild, indexFind, indexInit } from './stream-index';
