/**
 * The memory driver: ledger, perspective store and snapshot store in one process, synchronous end
 * to end.
 * @example
 * const app = whizbang().receptor(deposit).build({ driver: memoryDriver() });
 */
import type { Driver } from '../driver.ts';
import { type MemoryLedger, memoryLedger } from './ledger.ts';
import { type MemorySnapshots, memorySnapshots } from './snapshots.ts';
import { type MemoryStore, memoryStore } from './store.ts';

/** The memory driver's parts. */
export interface MemoryDriver extends Driver {
  readonly ledger: MemoryLedger;
  readonly store: MemoryStore;
  readonly snapshots: MemorySnapshots;
}

/** Creates a memory driver (ledger + perspective store sharing transactions, and snapshots). */
export function memoryDriver(): MemoryDriver {
  const store = memoryStore();
  return { name: 'memory', ledger: memoryLedger({ store }), store, snapshots: memorySnapshots() };
}
