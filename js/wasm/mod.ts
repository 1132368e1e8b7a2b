/**
 * The WebAssembly core and the binary envelope format (`core-wasm/FORMAT.md`): load the core
 * (bytes, a compiled module or a URL), or use its TypeScript twin `jsCore`; encode envelopes into
 * checksummed segments and decode them back.
 *
 * This is the entry for browsers and for every runtime without one of its own (the `default`
 * export condition). From npm, Node, Deno and Bun get their own entries instead (`node.ts`,
 * `deno.ts`, `bun.ts` beside this file: the same exports, their loaders bound to the runtime's
 * measured plan, and on Node to a reader of `file:` URLs). JSR has no export conditions and serves
 * this entry everywhere: on Deno, `fetch` reads the `file:` and `https:` URLs the core is found
 * at, so `loadWasmCore()` works as is, on the browsers' plan; pass
 * `{ plan: measuredPlan('deno') }` for Deno's, which differs only where the two sides tied.
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
import { type LoadWasmCore, type LoadWasmCoreSync, type WasmLoaders, wasmLoaders } from './load.ts';
import { measuredPlan } from './plan.ts';

export type { CodecOptions, WireRecord } from './codec.ts';
export { decodeSegments, encodeSegment } from './codec.ts';
export type { Core, CoreFactory, CoreFunction, CorePlan } from './core.ts';
export { jsCore } from './core.ts';
export { BINARY_CONTENT_TYPE, binaryCodec } from './envelope/binary.ts';
export type { EnvelopeCodec } from './envelope/codec.ts';
export { jsonCodec } from './envelope/codec.ts';
export type {
  LoadWasmCore,
  LoadWasmCoreOptions,
  LoadWasmCoreSync,
  ReadFile,
  WasmSource,
} from './load.ts';
export type { MeasuredRuntime } from './plan.ts';
export { measuredPlan } from './plan.ts';

const browser: WasmLoaders = wasmLoaders({ plan: measuredPlan('browser') });

/**
 * Compiles the core (once) and resolves to a factory of cores, each with its own memory. Without
 * a source it loads the `whizbang.wasm` that ships beside this module.
 */
export const loadWasmCore: LoadWasmCore = browser.loadWasmCore;

/**
 * The same from bytes or a module, synchronously (server runtimes and workers; a browser's main
 * thread may refuse to compile large modules synchronously — the core is under 4 KiB).
 */
export const loadWasmCoreSync: LoadWasmCoreSync = browser.loadWasmCoreSync;
