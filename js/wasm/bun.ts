/**
 * `whizbang/wasm` on Bun (the `bun` export condition): everything of `mod.ts`, its loaders bound
 * to Bun's measured plan. Bun's `fetch` reads `file:` URLs, so nothing else is needed.
 * @module
 */
import { type LoadWasmCore, type LoadWasmCoreSync, type WasmLoaders, wasmLoaders } from './load.ts';
import { measuredPlan } from './plan.ts';

// A module's own exports win over `export *`: the loaders below stand in for those of mod.ts.
export * from './mod.ts';

const bun: WasmLoaders = wasmLoaders({ plan: measuredPlan('bun') });

/** `loadWasmCore` of `mod.ts`, on Bun's plan. */
export const loadWasmCore: LoadWasmCore = bun.loadWasmCore;

/** `loadWasmCoreSync` of `mod.ts`, on Bun's plan. */
export const loadWasmCoreSync: LoadWasmCoreSync = bun.loadWasmCoreSync;
