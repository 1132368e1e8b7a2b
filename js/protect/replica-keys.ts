/**
 * The key store of a replica that syncs: local copies (SQLite, IndexedDB) of the keys kept in a
 * key store every replica shares (NATS KV), so that the replica reads its protected fields
 * offline. A key missing here is fetched from the shared store and kept; a new subject's key is
 * made in the shared store first (the one that wins a race is the one every replica gets). At each
 * sync round the replica asks the shared store what was deleted or replaced since the last round
 * ({@link ReplicaKeyStore.stale}) and drops its copies of those keys.
 */
import type { KeyStore, StoredKey } from '../contracts/keystore.ts';
import { invalidArgument, isWhizbangError, WhizbangError } from '../util/errors.ts';

/** Options of {@link replicaKeyStore}. */
export interface ReplicaKeyStoreOptions {
  /** Where this replica keeps its copies: `sqliteKeyStore(db)`, `indexedDbKeyStore({ name })`. */
  readonly local: KeyStore;
  /** The store every replica and the server share, able to list its changes: `natsKeyStore(nc)`. */
  readonly shared: KeyStore;
}

/** A replica's key store: a {@link KeyStore} that also tells sync which local copies are stale. */
export interface ReplicaKeyStore extends KeyStore {
  /**
   * The subjects this replica holds a key of that the shared store deleted or replaced after
   * `cursor` (undefined: from the start), and the cursor to ask from next time.
   */
  stale(cursor: string | undefined): Promise<{ subjects: string[]; cursor: string }>;
  /** Deletes this replica's copy of the subject's key (a note that it is gone is kept). */
  drop(subject: string): Promise<boolean>;
}

// the note that a subject's key was dropped here: read when the shared store cannot be asked
const goneKey = (subject: string): string => `\u0000gone\u0000${subject}`;
const NOTE = new Uint8Array(0);

const replicas = new WeakSet<KeyStore>();

/** The shared store did not answer: a coded error that says what needs it. */
function away(subject: string, cause: unknown): unknown {
  if (isWhizbangError(cause) && cause.code !== 'UNAVAILABLE') return cause;
  return new WhizbangError(
    'UNAVAILABLE',
    `The shared key store did not answer for subject "${subject}": this replica holds no key of it, and a subject's first key is made (or fetched) there. Try again once online.`,
    { cause },
  );
}

/** Whether `keys` came from {@link replicaKeyStore}. */
export function isReplicaKeyStore(keys: KeyStore): keys is ReplicaKeyStore {
  return replicas.has(keys);
}

/**
 * A replica's key store: `local` copies of the keys in `shared`. Give it to `protect` on the
 * replica; `startSync` then drops the copies of forgotten subjects' keys at each round.
 */
export function replicaKeyStore(options: ReplicaKeyStoreOptions): ReplicaKeyStore {
  const { local, shared } = options ?? {};
  if (typeof local?.get !== 'function' || typeof shared?.get !== 'function') {
    throw invalidArgument(
      'replicaKeyStore needs `local` (this replica’s key store) and `shared` (the one every replica shares) key stores.',
    );
  }
  if (typeof shared.changes !== 'function') {
    throw invalidArgument(
      'The `shared` key store of replicaKeyStore must list its changes (`changes`), as natsKeyStore does: it is how replicas learn that a subject was forgotten.',
    );
  }
  const changes = shared.changes.bind(shared);
  const keys: ReplicaKeyStore = {
    async get(subject) {
      const held = await local.get(subject);
      if (held !== undefined) return held;
      let found: StoredKey | undefined;
      try {
        found = await shared.get(subject);
      } catch (error) {
        // offline: a subject dropped here reads as forgotten, any other needs the shared store
        if ((await local.get(goneKey(subject))) !== undefined) return undefined;
        throw away(subject, error);
      }
      return found === undefined ? undefined : local.create(subject, found);
    },
    async create(subject, key) {
      let kept: StoredKey;
      try {
        kept = await shared.create(subject, key);
      } catch (error) {
        throw away(subject, error);
      }
      return local.create(subject, kept);
    },
    async delete(subject) {
      const here = await keys.drop(subject);
      return (await shared.delete(subject)) || here;
    },
    async stale(cursor) {
      const found = await changes(cursor);
      const subjects = new Set<string>();
      for (const change of found.changes) {
        const held = await local.get(change.subject);
        if (held !== undefined && held.id !== change.id) subjects.add(change.subject);
      }
      return { subjects: [...subjects], cursor: found.cursor };
    },
    async drop(subject) {
      const held = await local.get(subject);
      if (held === undefined) return false;
      await local.create(goneKey(subject), { id: held.id, wrapped: NOTE });
      return local.delete(subject);
    },
    async close() {
      await local.close?.();
      await shared.close?.();
    },
  };
  replicas.add(keys);
  return keys;
}
