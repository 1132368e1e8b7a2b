/**
 * The WebAssembly core and the binary envelope format (`core-wasm/FORMAT.md`): load the core
 * (bytes, a compiled module or a URL), or use its TypeScript twin `jsCore`; encode envelopes into
 * checksummed segments and decode them back.
 *
 * @example
 * ```ts
 * import { memoryDriver } from 'whizbang';
 * import { loadWasmCore } from 'whizbang/wasm';
 *
 * const core = await loadWasmCore();
 * const driver = memoryDriver({ core });
 * ```
 * @module
 */

export type { CodecOptions, WireRecord } from './codec.ts';
export { decodeSegments, encodeSegment } from './codec.ts';
export type { Core, CoreFactory, CoreFunction, CorePlan } from './core.ts';
export { jsCore } from './core.ts';
export { BINARY_CONTENT_TYPE, binaryCodec } from './envelope/binary.ts';
export type { EnvelopeCodec } from './envelope/codec.ts';
export { jsonCodec } from './envelope/codec.ts';
export type { LoadWasmCoreOptions, WasmSource } from './load.ts';
export { loadWasmCore, loadWasmCoreSync } from './load.ts';
export { measuredPlan } from './plan.ts';
