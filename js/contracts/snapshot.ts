/**
 * Snapshots: a stream's folded state (or a perspective's models) as of a version, so that loading
 * does not replay from the start. A driver may keep them (optional capability `Driver.snapshots`).
 */
import type { MaybePromise } from '../util/maybe.ts';

/** A state as of a stream version. */
export interface Snapshot<S = unknown> {
  /** The stream version (or global position) the state is as of. */
  readonly version: number;
  /** The state the stream had at that version. */
  readonly state: S;
  /** The state definition's version when taken: a snapshot of another version is ignored. */
  readonly schemaVersion: number;
  /** When it was taken, epoch milliseconds. */
  readonly takenAt: number;
}

/** Where snapshots are kept: by kind (a state definition's name), tenant and id (the stream). */
export interface SnapshotStore {
  /** The latest snapshot of a stream, if one was saved. */
  load(kind: string, tenant: string, id: string): MaybePromise<Snapshot | undefined>;
  /** Saves a snapshot of a stream (replacing the one before). */
  save(kind: string, tenant: string, id: string, snapshot: Snapshot): MaybePromise<void>;
  /**
   * Deletes every snapshot of a stream, of all kinds (`forget` in `whizbang/protect` drops those
   * that may hold a forgotten subject's values). Optional: without it, `protect` overwrites the
   * snapshots of the kinds it saw saved or loaded.
   */
  drop?(tenant: string, id: string): MaybePromise<void>;
}
