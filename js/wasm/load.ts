/**
 * Loads the WebAssembly core from bytes, a compiled `WebAssembly.Module`, a URL or a `Response`.
 * Without a source it loads the `whizbang.wasm` that ships beside this module (npm `dist/`, JSR,
 * the source tree). Browser-safe: a `node:` module is imported only to read a `file:` URL that
 * `fetch` cannot (Node's fetch has no `file:`).
 * @example
 * const core = await loadWasmCore();
 * const driver = memoryDriver({ core });
 */
import { WhizbangError } from '../util/errors.ts';
import type { CoreFactory, CorePlan } from './core.ts';
import { wasmUrl } from './location.ts';
import { measuredPlan } from './plan.ts';
import { wasmCoreFactory } from './wasm-core.ts';

/** What {@link loadWasmCore} accepts. */
export type WasmSource =
  | Uint8Array
  | ArrayBuffer
  | WebAssembly.Module
  | URL
  | string
  | Response
  | PromiseLike<Response>;

/** Options of {@link loadWasmCore}. */
export interface LoadWasmCoreOptions {
  /** Puts functions on the `'js'` or `'wasm'` side, over the measured plan of this runtime. */
  readonly plan?: Partial<CorePlan>;
}

function loadFailed(what: string, cause: unknown): WhizbangError {
  return new WhizbangError(
    'INVALID_ARGUMENT',
    `Could not load the WebAssembly core from ${what}: ${cause instanceof Error ? cause.message : String(cause)}. ` +
      'Pass the bytes of whizbang.wasm, a compiled WebAssembly.Module or a URL your runtime can fetch; or use the TypeScript twin (jsCore), which needs no loading.',
    { cause },
  );
}

async function readUrl(url: URL): Promise<ArrayBuffer> {
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return await response.arrayBuffer();
  } catch (error) {
    if (url.protocol !== 'file:') throw error;
    // a specifier bundlers do not follow: this branch only runs where file: URLs exist
    const fsModule = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ fsModule)) as {
      readFile(path: URL): Promise<Uint8Array>;
    };
    const bytes = await fs.readFile(url);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
}

async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof Uint8Array || source instanceof ArrayBuffer)
    return WebAssembly.compile(source as BufferSource);
  if (typeof source === 'string' || source instanceof URL)
    return WebAssembly.compile(await readUrl(new URL(source, wasmUrl)));
  const response = await source;
  return WebAssembly.compile(await response.arrayBuffer());
}

/** Compiles the core (once) and resolves to a factory of cores, each with its own memory. */
export async function loadWasmCore(
  source: WasmSource = wasmUrl,
  options: LoadWasmCoreOptions = {},
): Promise<CoreFactory> {
  let module: WebAssembly.Module;
  try {
    module = await compile(source);
  } catch (error) {
    throw loadFailed(
      source instanceof URL || typeof source === 'string' ? String(source) : 'the source given',
      error,
    );
  }
  return wasmCoreFactory(module, { ...measuredPlan(), ...options.plan });
}

/**
 * The same from bytes or a module, synchronously (server runtimes and workers; a browser's main
 * thread may refuse to compile large modules synchronously — the core is under 4 KiB).
 */
export function loadWasmCoreSync(
  source: Uint8Array | ArrayBuffer | WebAssembly.Module,
  options: LoadWasmCoreOptions = {},
): CoreFactory {
  let module: WebAssembly.Module;
  try {
    module =
      source instanceof WebAssembly.Module
        ? source
        : new WebAssembly.Module(source as BufferSource);
  } catch (error) {
    throw loadFailed('the bytes given', error);
  }
  return wasmCoreFactory(module, { ...measuredPlan(), ...options.plan });
}
