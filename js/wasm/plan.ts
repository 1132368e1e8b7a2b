/**
 * Which side runs each core function on this runtime, as measured (BENCHMARKS.md, "WebAssembly
 * core"): a function runs in WebAssembly only where it beat its TypeScript twin there. Override
 * with `loadWasmCore(source, { plan: { … } })`.
 */
import type { CorePlan } from './core.ts';

const MEASURED: Readonly<Record<'node' | 'deno' | 'bun', CorePlan>> = {
  node: { crc32c: 'wasm', seal: 'wasm', check: 'wasm', scan: 'wasm', index: 'wasm' },
  deno: { crc32c: 'wasm', seal: 'wasm', check: 'wasm', scan: 'wasm', index: 'wasm' },
  // checking a segment before decoding measured 0.93× the twin on Bun
  bun: { crc32c: 'wasm', seal: 'wasm', check: 'js', scan: 'wasm', index: 'wasm' },
};

/** The measured plan for the runtime this runs on (browsers follow Node's V8 figures). */
export function measuredPlan(): CorePlan {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Bun !== undefined) return MEASURED.bun;
  if (g.Deno !== undefined) return MEASURED.deno;
  return MEASURED.node;
}
