/**
 * The pure-TypeScript twin of the WebAssembly core: the same functions, with the same arguments
 * (addresses into one memory), the same results and the same error statuses, so either can serve
 * any call. Its parts in `twin/` match those of `core-wasm/assembly/`, file for file.
 */
export { dispatchGet, dispatchInit, dispatchSet } from './twin/dispatch.ts';
export { crc32c, fnv1a } from './twin/hashes.ts';
export { errorOffset, type Views, viewsOf } from './twin/memory.ts';
export { scan } from './twin/scan.ts';
export { checkRecord, checkSegment, sealRecord, sealSegment } from './twin/segments.ts';
export { indexBuild, indexFind, indexInit } from './twin/stream-index.ts';
export { utf8Invalid } from './twin/utf8.ts';
