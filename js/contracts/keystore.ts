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
  /** Closes it and lets go of what it holds. */
  close?(): MaybePromise<void>;
}
