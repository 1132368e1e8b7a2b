/**
 * Where the built core sits, relative to this module. In the source tree (vitest, Deno, Bun, JSR)
 * that is `core-wasm/build/`; the npm build swaps this module for one pointing beside `dist/`'s
 * chunks, where `whizbang.wasm` is copied (tsup.config.ts).
 */
export const wasmUrl: URL = new URL('../../core-wasm/build/whizbang.wasm', import.meta.url);
