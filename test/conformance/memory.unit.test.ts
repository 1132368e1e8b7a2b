// @runtimes node deno bun
/**
 * The memory driver runs the Ledger, perspective store and outbox conformance suites; the ledger
 * suite again with its binary log in the WebAssembly core.
 */

import {
  ledgerConformance,
  outboxConformance,
  storeConformance,
} from '../../js/conformance/mod.ts';
import { memoryDriver } from '../../js/memory/driver.ts';
import { loadWasmCore } from '../support/wasm.ts';

ledgerConformance('memory', () => memoryDriver());
storeConformance('memory', () => memoryDriver());
outboxConformance('memory', () => memoryDriver());

// the same ledger with its log in the WebAssembly core's memory
const core = await loadWasmCore();
ledgerConformance('memory (WebAssembly core)', () => memoryDriver({ core }));
