/**
 * The memory driver: ledger, perspective store and snapshot store in one process, synchronous end
 * to end.
 * @example
 * const app = whizbang().receptor(deposit).build({ driver: memoryDriver() });
 */
import type { Driver } from '../contracts/driver.ts';
import type { CoreFactory } from '../wasm/core.ts';
import { type MemoryLedger, memoryLedger } from './ledger.ts';
import { type MemorySnapshots, memorySnapshots } from './snapshots.ts';
import { type MemoryStore, memoryStore } from './store.ts';

/** The memory driver's parts. */
export interface MemoryDriver extends Driver {
  /** The ledger, in memory. */
  readonly ledger: MemoryLedger;
  /** The perspective store, with the outbox and inbox. */
  readonly store: MemoryStore;
  /** Snapshots of stateful streams. */
  readonly snapshots: MemorySnapshots;
}

/** Options of {@link memoryDriver}. */
export interface MemoryDriverOptions {
  /** The core the ledger's log lives in: the TypeScript twin by default, or `await loadWasmCore()`. */
  readonly core?: CoreFactory;
}

/** Creates a memory driver (ledger + perspective store sharing transactions, and snapshots). */
export function memoryDriver(options: MemoryDriverOptions = {}): MemoryDriver {
  const store = memoryStore();
  const ledger = memoryLedger(
    options.core === undefined ? { store } : { store, core: options.core },
  );
  return { name: 'memory', ledger, store, snapshots: memorySnapshots() };
}
