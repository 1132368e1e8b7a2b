/**
 * Where the built core sits, relative to this module. In the source tree (vitest, Deno, Bun, JSR)
 * that is `core-wasm/build/`; the npm build swaps this module for one pointing beside `dist/`'s
 * chunks, where `whizbang.wasm` is copied (tsup.config.ts).
 */
import { platform, type URL as Url } from '../util/platform.ts';

// `new URL('…', import.meta.url)` as written here is how bundlers (Vite) find the asset to emit.
const { URL } = platform;

/** The URL of `whizbang.wasm`, the default source of `loadWasmCore`. */
export const wasmUrl: Url = new URL(
  '../../core-wasm/build/whizbang.wasm',
  (import.meta as ImportMeta & { readonly url: string }).url,
);
