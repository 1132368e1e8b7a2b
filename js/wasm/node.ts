/**
 * `whizbang/wasm` on Node (the `node` export condition): everything of `mod.ts`, its loaders bound
 * to Node's measured plan and to a reader of `file:` URLs over `node:fs/promises`, which Node's
 * `fetch` cannot read.
 *
 * @example
 * ```ts
 * import { loadWasmCore } from 'whizbang/wasm';
 *
 * const core = await loadWasmCore(); // the package's own bytes: nothing is read from disk
 * const own = await loadWasmCore(new URL('file:///srv/whizbang.wasm')); // a file, read from disk
 * ```
 * @module
 */
import { readFile } from 'node:fs/promises';
import { type LoadWasmCore, type LoadWasmCoreSync, type WasmLoaders, wasmLoaders } from './load.ts';
import { measuredPlan } from './plan.ts';

// A module's own exports win over `export *`: the loaders below stand in for those of mod.ts.
export * from './mod.ts';

const node: WasmLoaders = wasmLoaders({
  plan: measuredPlan('node'),
  readFile: (url) => readFile(url),
});

/** `loadWasmCore` of `mod.ts`, on Node's plan, reading `file:` URLs from disk. */
export const loadWasmCore: LoadWasmCore = node.loadWasmCore;

/** `loadWasmCoreSync` of `mod.ts`, on Node's plan. */
export const loadWasmCoreSync: LoadWasmCoreSync = node.loadWasmCoreSync;
