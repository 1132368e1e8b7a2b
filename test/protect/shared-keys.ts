/** A key store that replicas share, in memory: it lists its changes and can be taken offline. */
import type { KeyChange, KeyStore } from '../../js/mod.ts';
import { memoryKeyStore } from '../../js/protect/mod.ts';

/** A shared store in memory that lists its changes and can be taken offline. */
export function sharedStore(): { store: KeyStore; state: { online: boolean } } {
  const keys = memoryKeyStore();
  const log: KeyChange[] = [];
  const state = { online: true };
  const up = (): void => {
    if (!state.online) throw new Error('offline');
  };
  const store: KeyStore = {
    async get(subject) {
      up();
      return keys.get(subject);
    },
    async create(subject, k) {
      up();
      const kept = await keys.create(subject, k);
      if (kept.id === k.id) log.push({ subject, id: k.id });
      return kept;
    },
    async delete(subject) {
      up();
      const had = await keys.delete(subject);
      if (had) log.push({ subject });
      return had;
    },
    async changes(cursor) {
      up();
      const from = cursor === undefined ? 0 : Number(cursor);
      return { changes: log.slice(from), cursor: String(log.length) };
    },
  };
  return { store, state };
}
