/**
 * Runs the test files marked `// @runtimes … deno bun` under Deno, then Bun, with `vitest` mapped
 * to a small shim (see README.md), and prints each runtime's summary and failures.
 * Usage: node test/runtimes/run.mjs [deno] [bun]
 */

import { ensureWasm } from '../../core-wasm/build.mjs';
import { formatRun } from './report.mjs';
import { countsOf, findMarkedFiles, RUNTIMES, runRuntime } from './runtimes.mjs';

// a fresh clone has no WebAssembly core yet: build it (and its embedded module) once
ensureWasm();

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in RUNTIMES));
if (unknown.length > 0) {
  console.error(
    `unknown runtime ${unknown.join(', ')}; choose from ${Object.keys(RUNTIMES).join(', ')}`,
  );
  process.exit(2);
}

let passed = 0;
let failed = 0;
for (const runtime of requested.length > 0 ? requested : Object.keys(RUNTIMES)) {
  const files = await findMarkedFiles(runtime);
  if (files.length === 0) {
    console.log(`${runtime}: no test file is marked for it`);
    continue;
  }
  const run = await runRuntime(runtime, files);
  for (const line of formatRun(run)) console.log(line);
  const counts = countsOf(run);
  passed += counts.passed;
  failed += counts.failed;
}
console.log(`runtimes: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
