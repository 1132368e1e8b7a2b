/**
 * Loads the WebAssembly core from bytes, a compiled `WebAssembly.Module`, a URL or a `Response`.
 * Without a source it compiles the bytes that ship inside the package (`embedded-core.ts`): no
 * file is read and nothing is fetched, from npm, JSR or a bundle. It knows no runtime: what differs between them — the measured plan, and how
 * to read a `file:` URL where `fetch` cannot (Node) — is given to {@link wasmLoaders} by the
 * entry of `whizbang/wasm` that the package's export conditions pick (node.ts, deno.ts, bun.ts,
 * and mod.ts for browsers and everything else).
 */
import { WhizbangError } from '../util/errors.ts';
import { platform, type Response, type URL, type WasmModule } from '../util/platform.ts';
import type { CoreFactory, CorePlan } from './core.ts';
import { embeddedCore } from './embedded-core.ts';
import { wasmCoreFactory } from './wasm-core.ts';

/** What {@link LoadWasmCore} accepts. */
export type WasmSource =
  | Uint8Array
  | ArrayBuffer
  | WasmModule
  | URL
  | string
  | Response
  | PromiseLike<Response>;

/** Reads the bytes of a `file:` URL, for runtimes whose `fetch` cannot (Node's). */
export type ReadFile = (url: URL) => Promise<Uint8Array>;

/** Options of {@link LoadWasmCore}. */
export interface LoadWasmCoreOptions {
  /** Puts functions on the `'js'` or `'wasm'` side, over the measured plan of this runtime. */
  readonly plan?: Partial<CorePlan>;
  /** Reads `file:` URLs instead of `fetch` (the Node entry passes one over `node:fs/promises`). */
  readonly readFile?: ReadFile;
}

/**
 * Compiles the core and resolves to a factory of cores, each with its own memory; without a source,
 * from the bytes that ship inside the package.
 */
export type LoadWasmCore = (
  source?: WasmSource,
  options?: LoadWasmCoreOptions,
) => Promise<CoreFactory>;

/**
 * The same, synchronously, from the package's bytes (no source) or from bytes or a module of your
 * own (a browser's main thread may refuse to compile large modules synchronously — the core is
 * under 4 KiB).
 */
export type LoadWasmCoreSync = (
  source?: Uint8Array | ArrayBuffer | WasmModule,
  options?: Pick<LoadWasmCoreOptions, 'plan'>,
) => CoreFactory;

/** What a runtime's entry knows about its runtime. */
export interface WasmHost {
  /** The plan measured on this runtime (`measuredPlan`). */
  readonly plan: CorePlan;
  /** How to read `file:` URLs, where this runtime's `fetch` cannot. */
  readonly readFile?: ReadFile;
}

/** The two loaders, bound to one runtime. */
export interface WasmLoaders {
  readonly loadWasmCore: LoadWasmCore;
  readonly loadWasmCoreSync: LoadWasmCoreSync;
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

function loadFailed(what: string, cause: unknown): WhizbangError {
  return new WhizbangError(
    'INVALID_ARGUMENT',
    `Could not load the WebAssembly core from ${what}: ${messageOf(cause)}. ` +
      'Pass the bytes of whizbang.wasm, a compiled WebAssembly.Module or a URL your runtime can fetch; or use the TypeScript twin (jsCore), which needs no loading.',
    { cause },
  );
}

async function readUrl(
  url: URL,
  readFile: ReadFile | undefined,
): Promise<Uint8Array | ArrayBuffer> {
  if (url.protocol === 'file:' && readFile !== undefined) return readFile(url);
  let response: Response;
  try {
    response = await platform.fetch(url);
  } catch (error) {
    if (url.protocol !== 'file:') throw error;
    // Node's fetch has no file: URLs; its entry of whizbang/wasm brings a reader, this module none
    throw new Error(
      `${messageOf(error)} (this runtime's fetch may not read file: URLs: import 'whizbang/wasm' by its package name, whose Node entry reads them, or pass options.readFile)`,
      { cause: error },
    );
  }
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.arrayBuffer();
}

/** What a relative URL is resolved against: the page's address where there is one. */
const baseUrl = (): string | undefined =>
  (globalThis as { location?: { readonly href?: string } }).location?.href;

async function compile(source: WasmSource, readFile: ReadFile | undefined): Promise<WasmModule> {
  const { URL, WebAssembly } = platform;
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof Uint8Array || source instanceof ArrayBuffer)
    return WebAssembly.compile(source);
  if (typeof source === 'string' || source instanceof URL)
    return WebAssembly.compile(await readUrl(new URL(source, baseUrl()), readFile));
  const response = await source;
  return WebAssembly.compile(await response.arrayBuffer());
}

/** Loaders whose defaults are `host`'s: each entry of `whizbang/wasm` makes its own, once. */
export function wasmLoaders(host: WasmHost): WasmLoaders {
  const planOf = (options: Pick<LoadWasmCoreOptions, 'plan'>): CorePlan => ({
    ...host.plan,
    ...options.plan,
  });
  return {
    async loadWasmCore(source = embeddedCore(), options = {}) {
      let module: WasmModule;
      try {
        module = await compile(source, options.readFile ?? host.readFile);
      } catch (error) {
        const what =
          source instanceof platform.URL || typeof source === 'string'
            ? String(source)
            : 'the source given';
        throw loadFailed(what, error);
      }
      return wasmCoreFactory(module, planOf(options));
    },
    loadWasmCoreSync(source = embeddedCore(), options = {}) {
      let module: WasmModule;
      try {
        const { WebAssembly } = platform;
        module = source instanceof WebAssembly.Module ? source : new WebAssembly.Module(source);
      } catch (error) {
        throw loadFailed('the bytes given', error);
      }
      return wasmCoreFactory(module, planOf(options));
    },
  };
}
