/**
 * The core that the bulk work of `whizbang/wasm` uses when given none — routing pages of segments
 * (`segmentRouter`), and segment files (`exportLedger`, `importLedger`, `verifySegmentFile`): the
 * WebAssembly core, compiled once from the bytes inside the package, because it measured faster
 * there on Node, Deno and Bun (BENCHMARKS.md: `wasm.route.batch` 1.7–2.3×, `wasm.file.verify`
 * 1.4–2.1×). Where WebAssembly cannot compile (a Content-Security-Policy without
 * `'wasm-unsafe-eval'`), the TypeScript twin does the same work.
 *
 * The memory ledger and the transports' envelope codec keep the twin by default: with the
 * WebAssembly core the memory ledger's append measured 0.83–0.93× and one envelope's round trip
 * 0.77–1.06× (the same runs). Pass `core` to any of them to choose.
 */
import { type CoreFactory, jsCore } from './core.ts';
import { wasmLoaders } from './load.ts';
import { measuredPlan } from './plan.ts';

let made: CoreFactory | undefined;

/** The WebAssembly core on the measured plan, compiled on first use; the twin where it cannot be. */
export function bulkCore(): CoreFactory {
  if (made === undefined) {
    try {
      made = wasmLoaders({ plan: measuredPlan() }).loadWasmCoreSync();
    } catch {
      made = jsCore;
    }
  }
  return made;
}
