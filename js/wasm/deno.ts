/**
 * `whizbang/wasm` on Deno (the `deno` export condition): everything of `mod.ts`, its loaders bound
 * to Deno's measured plan. Deno's `fetch` reads `file:` URLs, so nothing else is needed.
 * @module
 */
import { type LoadWasmCore, type LoadWasmCoreSync, type WasmLoaders, wasmLoaders } from './load.ts';
import { measuredPlan } from './plan.ts';

// A module's own exports win over `export *`: the loaders below stand in for those of mod.ts.
export * from './mod.ts';

const deno: WasmLoaders = wasmLoaders({ plan: measuredPlan('deno') });

/** `loadWasmCore` of `mod.ts`, on Deno's plan. */
export const loadWasmCore: LoadWasmCore = deno.loadWasmCore;

/** `loadWasmCoreSync` of `mod.ts`, on Deno's plan. */
export const loadWasmCoreSync: LoadWasmCoreSync = deno.loadWasmCoreSync;
