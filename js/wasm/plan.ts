/**
 * Which side runs each core function on this runtime, as measured (BENCHMARKS.md, "WebAssembly
 * core"): a function runs in WebAssembly only where it beat its TypeScript twin there by more
 * than 5% (median of three runs). Override with `loadWasmCore(source, { plan: { … } })`.
 */
import type { CorePlan } from './core.ts';

const MEASURED: Readonly<Record<'node' | 'deno' | 'bun', CorePlan>> = {
  node: { crc32c: 'wasm', seal: 'wasm', check: 'wasm', scan: 'wasm', index: 'wasm' },
  // sealing records (codec.encode) measured a tie on Deno: 1.02×
  deno: { crc32c: 'wasm', seal: 'js', check: 'wasm', scan: 'wasm', index: 'wasm' },
  bun: { crc32c: 'wasm', seal: 'wasm', check: 'wasm', scan: 'wasm', index: 'wasm' },
};

/** The measured plan for the runtime this runs on (browsers follow Node's V8 figures). */
export function measuredPlan(): CorePlan {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Bun !== undefined) return MEASURED.bun;
  if (g.Deno !== undefined) return MEASURED.deno;
  return MEASURED.node;
}
