/**
 * Which side runs each core function on each runtime, as measured (BENCHMARKS.md, "WebAssembly
 * core"): a function runs in WebAssembly only where it beat its TypeScript twin there by more
 * than 5% (median of three runs). Nothing here looks at the runtime it runs on: each entry of
 * `whizbang/wasm` (js/wasm/node.ts, deno.ts, bun.ts, and mod.ts for browsers) passes its own.
 * `route` (a page of segments routed to handlers, `segmentRouter`) measured 1.7–2.3× the map loop
 * on all three (`wasm.route.batch`). Override with `loadWasmCore(source, { plan: { … } })`.
 */
import type { CorePlan } from './core.ts';

/** The runtimes whose plans were measured. */
export type MeasuredRuntime = 'node' | 'deno' | 'bun' | 'browser';

const MEASURED: Readonly<Record<MeasuredRuntime, CorePlan>> = {
  node: { crc32c: 'wasm', seal: 'wasm', check: 'wasm', scan: 'wasm', index: 'wasm', route: 'wasm' },
  // sealing records (codec.encode) measured a tie on Deno: 1.02×
  deno: { crc32c: 'wasm', seal: 'js', check: 'wasm', scan: 'wasm', index: 'wasm', route: 'wasm' },
  bun: { crc32c: 'wasm', seal: 'wasm', check: 'wasm', scan: 'wasm', index: 'wasm', route: 'wasm' },
  // browsers follow Node's V8 figures
  browser: {
    crc32c: 'wasm',
    seal: 'wasm',
    check: 'wasm',
    scan: 'wasm',
    index: 'wasm',
    route: 'wasm',
  },
};

/** The measured plan of `runtime` (default: V8's figures, Node's and the browsers'). */
export function measuredPlan(runtime: MeasuredRuntime = 'browser'): CorePlan {
  return MEASURED[runtime];
}
