/**
 * The memory driver: ledger, perspective store and snapshot store in one process, synchronous end
 * to end.
 * @example
 * const app = whizbang().receptor(deposit).build({ driver: memoryDriver() });
 */
import type { Driver } from '../contracts/driver.ts';
import type { LeaseStore } from '../contracts/lease.ts';
import type { Limits } from '../kit/limits.ts';
import type { CoreFactory } from '../wasm/core.ts';
import { memoryLeases } from './leases.ts';
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
  /** Leases shared by every app built on this driver object. */
  readonly leases: LeaseStore;
}

/** Options of {@link memoryDriver}. */
export interface MemoryDriverOptions {
  /** The core the ledger's log lives in: the TypeScript twin by default, or `await loadWasmCore()`. */
  readonly core?: CoreFactory;
  /**
   * What an append, a read or a lens query may hold (payload and id bytes, events per append,
   * query size); `DEFAULT_LIMITS` for what is not given.
   */
  readonly limits?: Partial<Limits>;
}

/** Creates a memory driver (ledger + perspective store sharing transactions, and snapshots). */
export function memoryDriver(options: MemoryDriverOptions = {}): MemoryDriver {
  const limits = options.limits ?? {};
  const store = memoryStore({ limits });
  const ledger = memoryLedger(
    options.core === undefined ? { store, limits } : { store, limits, core: options.core },
  );
  return { name: 'memory', ledger, store, snapshots: memorySnapshots(), leases: memoryLeases() };
}
