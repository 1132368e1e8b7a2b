/** A storage backend: the ledger and the perspective store it keeps together. */

import type { MaybePromise } from '../util/maybe.ts';
import type { LeaseStore } from './lease.ts';
import type { Ledger } from './ledger.ts';
import type { SnapshotStore } from './snapshot.ts';
import type { PerspectiveStore } from './store.ts';

/** What every storage backend provides; made by a factory such as `memoryDriver()`. */
export interface Driver {
  /** The driver's name, for logs and errors (`'memory'`, `'sqlite'`, …). */
  readonly name: string;
  /** Where events are appended and read. */
  readonly ledger: Ledger;
  /** Where perspectives keep their models and checkpoints. */
  readonly store: PerspectiveStore;
  /** Optional: where stateful receptors' snapshots are kept. */
  readonly snapshots?: SnapshotStore;
  /**
   * Optional: leases shared by every instance on this driver's storage, so that each piece of
   * background work has one live owner (see the app's `coordinate` option).
   */
  readonly leases?: LeaseStore;
  /** Closes the driver and what it opened. */
  close?(): MaybePromise<void>;
}
