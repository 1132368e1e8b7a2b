/**
 * The memory snapshot store: the newest snapshot per state name, tenant and stream, in one process.
 * States are kept by reference, as the memory ledger keeps events: treat them as immutable (a
 * state definition's `evolve` returns a new state).
 * @example
 * const app = whizbang().receptor(deposit).build({ driver: memoryDriver(), snapshotEvery: 100 });
 */
import type { Snapshot, SnapshotStore } from '../contracts/snapshot.ts';

/** A snapshot store in memory; also usable on its own as a test double. */
export interface MemorySnapshots extends SnapshotStore {
  /** The latest snapshot of a stream, if one was saved. */
  load(kind: string, tenant: string, id: string): Snapshot | undefined;
  /** Saves a snapshot of a stream (replacing the one before). */
  save(kind: string, tenant: string, id: string, snapshot: Snapshot): void;
  /** Deletes every snapshot of a stream, of all kinds. */
  drop(tenant: string, id: string): void;
  /** How many snapshots are kept, over all kinds and tenants. */
  size(): number;
}

/** Creates an empty memory snapshot store; a save replaces the snapshot of the same key. */
export function memorySnapshots(): MemorySnapshots {
  // kind -> tenant -> id: nested maps, so that no separator can make two keys collide
  const kinds = new Map<string, Map<string, Map<string, Snapshot>>>();
  return {
    load: (kind, tenant, id) => kinds.get(kind)?.get(tenant)?.get(id),
    save(kind, tenant, id, snapshot) {
      let tenants = kinds.get(kind);
      if (tenants === undefined) {
        tenants = new Map();
        kinds.set(kind, tenants);
      }
      let ids = tenants.get(tenant);
      if (ids === undefined) {
        ids = new Map();
        tenants.set(tenant, ids);
      }
      ids.set(id, snapshot);
    },
    drop(tenant, id) {
      for (const tenants of kinds.values()) tenants.get(tenant)?.delete(id);
    },
    size() {
      let n = 0;
      for (const tenants of kinds.values()) for (const ids of tenants.values()) n += ids.size;
      return n;
    },
  };
}
