/**
 * The WebAssembly core and the binary envelope format (`core-wasm/FORMAT.md`): load the core
 * (bytes, a compiled module or a URL), or use its TypeScript twin `jsCore`; encode envelopes into
 * checksummed segments and decode them back.
 *
 * Without a source, `loadWasmCore()` and `loadWasmCoreSync()` compile the core's bytes that ship
 * inside the package: no file is read and nothing is fetched, so it works offline, from JSR and
 * from any bundle. A source of your own (bytes, a compiled module, a URL or a `Response`) is still
 * taken, for a build of the core that is not the package's.
 *
 * This is the entry for browsers and for every runtime without one of its own (the `default`
 * export condition). From npm, Node, Deno and Bun get their own entries instead (`node.ts`,
 * `deno.ts`, `bun.ts` beside this file: the same exports, their loaders bound to the runtime's
 * measured plan, and on Node to a reader of `file:` URLs). JSR has no export conditions and serves
 * this entry everywhere, on the browsers' plan; pass `{ plan: measuredPlan('deno') }` for Deno's,
 * which differs only where the two sides tied.
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

export type {
  Declared,
  OwnResponse,
  OwnUrl,
  OwnWasmModule,
  Response,
  URL,
  WasmModule,
} from '../util/platform.ts';
export type { ByteSource, ByteStream, ByteStreamReader } from './byte-source.ts';
export type { CodecOptions, WireRecord } from './codec.ts';
export { decodeSegments, encodeSegment } from './codec.ts';
export type { Core, CoreFactory, CoreFunction, CorePlan } from './core.ts';
export { jsCore } from './core.ts';
export { BINARY_CONTENT_TYPE, binaryCodec } from './envelope/binary.ts';
export type { EnvelopeCodec } from './envelope/codec.ts';
export { jsonCodec } from './envelope/codec.ts';
export type {
  LedgerExportOptions,
  SegmentFileSummary,
  VerifyOptions,
} from './ledger-file.ts';
export {
  exportLedger,
  exportSegments,
  SEGMENT_FILE_TYPE,
  verifySegmentFile,
} from './ledger-file.ts';
export type { LedgerImportOptions, LedgerImportResult, LedgerSource } from './ledger-import.ts';
export type { OwnReadableStream, ReadableStream } from './ledger-stream.ts';
export { exportLedgerStream } from './ledger-stream.ts';
export type {
  LoadWasmCore,
  LoadWasmCoreOptions,
  LoadWasmCoreSync,
  ReadFile,
  WasmSource,
} from './load.ts';
export type { MeasuredRuntime } from './plan.ts';
export { measuredPlan } from './plan.ts';
export type { Routes, SegmentRouter, SegmentRouterOptions, Visit } from './route.ts';
export { segmentRouter } from './route.ts';
export { importLedger, verifySegmentStream } from './segment-files.ts';
export type { SegmentStage } from './segment-stage.ts';
export { memoryStage } from './segment-stage.ts';
export type { Views } from './twin/memory.ts';

const browser: WasmLoaders = wasmLoaders({ plan: measuredPlan('browser') });

/**
 * Compiles the core and resolves to a factory of cores, each with its own memory. Without a
 * source it compiles the bytes that ship inside the package (no file, no network).
 */
export const loadWasmCore: LoadWasmCore = browser.loadWasmCore;

/**
 * The same, synchronously, from the package's bytes or from bytes or a module of your own (a
 * browser's main thread may refuse to compile large modules synchronously — the core is under
 * 4 KiB, well below that limit).
 */
export const loadWasmCoreSync: LoadWasmCoreSync = browser.loadWasmCoreSync;
