/** A key store in memory: for tests and single-process apps whose ledger is in memory too. */
import type { KeyStore, StoredKey } from '../contracts/keystore.ts';

/** Wrapped data keys in a map (gone when the process ends, as the memory ledger is). */
export function memoryKeyStore(): KeyStore {
  const keys = new Map<string, StoredKey>();
  return {
    get: (subject) => keys.get(subject),
    create(subject, key) {
      const held = keys.get(subject);
      if (held !== undefined) return held;
      keys.set(subject, { id: key.id, wrapped: key.wrapped.slice() });
      return key;
    },
    delete: (subject) => keys.delete(subject),
  };
}
