// vitest's global setup: a fresh clone has no WebAssembly core yet (its bytes are a module the
// wasm build generates, js/wasm/embedded.ts); build it once before any test file is loaded.
import { ensureWasm } from '../../core-wasm/build.mjs';

export default function setup() {
  ensureWasm();
}
