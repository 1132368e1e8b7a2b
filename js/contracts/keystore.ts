/**
 * Key stores: where `whizbang/protect` keeps one data key per subject (the person whose personal
 * fields it encrypts), each wrapped by the app's master key. A store only keeps bytes: it never
 * sees a key in clear. Deleting a subject's key is how that subject is forgotten.
 */
import type { MaybePromise } from '../util/maybe.ts';

/** A subject's data key as stored: its id and its bytes wrapped by the master key. */
export interface StoredKey {
  /** The key's id (random; stored with each value it encrypted). */
  readonly id: string;
  /** The data key wrapped by the master key (never the key in clear). */
  readonly wrapped: Uint8Array;
}

/** Where wrapped data keys are kept, one per subject: memory, SQLite, PostgreSQL, … */
export interface KeyStore {
  /** The subject's key, or undefined when it has none (never had one, or was forgotten). */
  get(subject: string): MaybePromise<StoredKey | undefined>;
  /**
   * Stores `key` as the subject's key unless it already has one; returns the key the subject has
   * afterwards (the existing one wins, so two writers racing end with one key).
   */
  create(subject: string, key: StoredKey): MaybePromise<StoredKey>;
  /** Deletes the subject's key for good; true when there was one. */
  delete(subject: string): MaybePromise<boolean>;
  /**
   * Optional, for a store that replicas share (NATS KV): the subjects whose key was deleted or
   * replaced after `cursor` (undefined: from the start), in order, and the cursor to ask from next
   * time. A replica keeping local copies of keys learns from it that a subject was forgotten.
   */
  changes?(cursor: string | undefined): Promise<KeyChanges>;
  /** Closes it and lets go of what it holds. */
  close?(): MaybePromise<void>;
}

/** A subject whose key changed in a shared key store. */
export interface KeyChange {
  /** The subject. */
  readonly subject: string;
  /** The id of the subject's key now; absent when it was deleted (the subject forgotten). */
  readonly id?: string;
}

/** What {@link KeyStore.changes} answers. */
export interface KeyChanges {
  /** The changes after the cursor asked from, oldest first. */
  readonly changes: readonly KeyChange[];
  /** The cursor to ask from next time. */
  readonly cursor: string;
}
