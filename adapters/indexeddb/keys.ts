/**
 * A key store for `whizbang/protect` in IndexedDB: a database of its own (`<name>-keys`, object
 * store `keys`) beside the driver's, one record `{ id, wrapped }` per subject.
 */
import { type KeyStore, type StoredKey, WhizbangError } from '../../js/mod.ts';
import type { IdbFactory } from './host-types.ts';

/** Options of {@link indexedDbKeyStore}. */
export interface IndexedDbKeyStoreOptions {
  /** The app's database name (default `'whizbang'`): the keys go to `<name>-keys`. */
  readonly name?: string;
  /** The IndexedDB factory (default `globalThis.indexedDB`). */
  readonly indexedDB?: IdbFactory;
}

const STORE = 'keys';

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** A {@link KeyStore} in IndexedDB (opened, and made on first use, here). */
export async function indexedDbKeyStore(options: IndexedDbKeyStoreOptions = {}): Promise<KeyStore> {
  const factory = (options.indexedDB ?? (globalThis as { indexedDB?: unknown }).indexedDB) as
    | IDBFactory
    | undefined;
  if (factory === undefined) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      'indexedDbKeyStore needs IndexedDB: run it in a browser (or a worker), or pass `indexedDB` (fake-indexeddb, in Node).',
    );
  }
  const request = factory.open(`${options.name ?? 'whizbang'}-keys`, 1);
  request.onupgradeneeded = () => {
    if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
  };
  const db = await done(request);
  const read = async (subject: string): Promise<StoredKey | undefined> => {
    const row = (await done(db.transaction(STORE, 'readonly').objectStore(STORE).get(subject))) as
      | { id: string; wrapped: Uint8Array }
      | undefined;
    return row === undefined ? undefined : { id: row.id, wrapped: new Uint8Array(row.wrapped) };
  };
  return {
    get: read,
    async create(subject, key) {
      const tx = db.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      const held = (await done(store.get(subject))) as StoredKey | undefined;
      if (held === undefined) store.add({ id: key.id, wrapped: key.wrapped.slice() }, subject);
      await committed(tx);
      return held === undefined ? key : { id: held.id, wrapped: new Uint8Array(held.wrapped) };
    },
    async delete(subject) {
      const tx = db.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      const had = (await done(store.count(subject))) > 0;
      store.delete(subject);
      await committed(tx);
      return had;
    },
    close: () => db.close(),
  };
}
