/**
 * Snapshots under `protect`: receptor state is the app's own shape, so a forgotten subject's
 * values in it cannot be found by field. `forget` drops every snapshot of the streams that hold the
 * subject's sealed events instead, and the state is folded again from the (now redacted) ledger.
 */
import type { Ledger, RecordedEvent } from '../contracts/ledger.ts';
import type { Snapshot, SnapshotStore } from '../contracts/snapshot.ts';
import { sealedOf } from './marker.ts';

/** A snapshot store that can drop what may hold a subject's values. */
export interface ForgettingSnapshots {
  /** The store the app uses (the kinds it saves and loads are noted). */
  readonly store: SnapshotStore;
  /** Drops every snapshot of the streams holding `subject`'s sealed events in `ledger`. */
  forget(ledger: Ledger, subject: string): Promise<void>;
}

// a snapshot no state definition takes (loading ignores another schema version)
const VOID: Snapshot = { version: 1, state: null, schemaVersion: -1, takenAt: 0 };

/** Wraps `store`: its snapshots of a forgotten subject's streams are dropped by `forget`. */
export function forgettingSnapshots(store: SnapshotStore): ForgettingSnapshots {
  const kinds = new Set<string>();
  const wrapped: SnapshotStore = {
    load(kind, tenant, id) {
      kinds.add(kind);
      return store.load(kind, tenant, id);
    },
    save(kind, tenant, id, snapshot) {
      kinds.add(kind);
      return store.save(kind, tenant, id, snapshot);
    },
  };
  if (store.drop !== undefined) wrapped.drop = (tenant, id) => store.drop!(tenant, id);
  return {
    store: wrapped,
    async forget(ledger, subject) {
      for (const [tenant, id] of await streamsOf(ledger, subject)) {
        if (store.drop !== undefined) await store.drop(tenant, id);
        // a store without `drop`: the snapshots of the kinds seen in this process are voided
        else for (const kind of kinds) await store.save(kind, tenant, id, VOID);
      }
    },
  };
}

/** The streams (tenant, id) of `ledger` holding events sealed for `subject`: one pass over the log. */
async function streamsOf(ledger: Ledger, subject: string): Promise<[string, string][]> {
  const found = new Map<string, [string, string]>();
  const note = (batch: readonly RecordedEvent[]): void => {
    for (const e of batch) {
      if (sealedOf(e.metadata)?.s === subject) {
        found.set(JSON.stringify([e.tenant, e.streamId]), [e.tenant, e.streamId]);
      }
    }
  };
  if (ledger.readAllBatches !== undefined) {
    for await (const batch of ledger.readAllBatches({ batch: 1000 })) note(batch);
  } else note(await ledger.readAll());
  return [...found.values()];
}
