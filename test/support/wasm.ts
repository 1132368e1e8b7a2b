/**
 * `loadWasmCore` of the entry of `whizbang/wasm` that the package's export conditions pick on the
 * runtime running the test (js/wasm/node.ts, deno.ts, bun.ts; mod.ts in a browser), so each
 * runtime's suites load the core as its users do: Node reading `file:` URLs from disk, Deno and
 * Bun fetching them, each on its measured plan.
 */
import type { LoadWasmCore } from '../../js/wasm/load.ts';

const host = globalThis as { Bun?: unknown; Deno?: unknown; document?: unknown };
const entry =
  host.Bun !== undefined
    ? await import('../../js/wasm/bun.ts')
    : host.Deno !== undefined
      ? await import('../../js/wasm/deno.ts')
      : host.document !== undefined
        ? await import('../../js/wasm/mod.ts')
        : await import('../../js/wasm/node.ts');

/** The loader of this runtime's entry. */
export const loadWasmCore: LoadWasmCore = entry.loadWasmCore;
