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
  /**
   * Optional: set by a driver that wraps another and transforms its ledger (`protect`), so that
   * offline sync can work under it.
   */
  readonly layer?: DriverLayer;
  /** Closes the driver and what it opened. */
  close?(): MaybePromise<void>;
}

/*
 * A driver layer: a driver made by wrapping another one and transforming what its ledger keeps
 * (`whizbang/protect`'s `protect` seals protected fields). Offline sync looks through layers to
 * the offline driver under them: it moves the stored form (sealed) between the local ledger and
 * the shared log, and lets the app's handlers see the layer's form (decrypted).
 */

/** What a layer learned had changed on the shared side (keys forgotten elsewhere, say). */
export interface LayerChanges {
  /** Where to ask from next time (kept by sync in the local store). */
  readonly cursor: string;
  /** The event types whose read models must be rebuilt once the changes are applied (empty: none). */
  readonly types: readonly string[];
  /** How many things here the changes touched (subjects whose local key copy goes), for reports. */
  readonly count: number;
  /** Applies the changes here (deletes the local copies of forgotten keys); safe to repeat. */
  apply(): Promise<void>;
}

/** The layer of a wrapping driver (its `layer` property). */
export interface DriverLayer {
  /** The driver it wraps. */
  readonly inner: Driver;
  /**
   * True when what the layer stores is what must travel to other replicas (`protect`: sealed
   * fields): it goes over `offlineDriver(…)`, never under it, or sync would push its opened form.
   */
  readonly travels?: boolean;
  /** The same transformation over another ledger (sync appends others' events through it). */
  over(ledger: Ledger): Ledger;
  /**
   * Optional: what changed on the shared side after `cursor` (undefined: from the start), asked by
   * sync at the start of each round; undefined when nothing did.
   */
  changes?(cursor: string | undefined): Promise<LayerChanges | undefined>;
}
