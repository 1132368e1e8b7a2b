/**
 * For a store that tells other connections of its model writes (the optional
 * `PerspectiveStore.watch` of live lenses): which perspectives a transaction wrote.
 */
import type { StoreWriter } from '../contracts/store.ts';

/** `tx`, adding the name of each perspective it puts into or deletes from to `names`. */
export function notingWriter(tx: StoreWriter, names: Set<string>): StoreWriter {
  const writer: StoreWriter = {
    get: (p, tenant, id) => tx.get(p, tenant, id),
    put: (p, row) => {
      names.add(p);
      return tx.put(p, row);
    },
    delete: (p, tenant, id) => {
      names.add(p);
      return tx.delete(p, tenant, id);
    },
    setCheckpoint: (p, position) => tx.setCheckpoint(p, position),
  };
  const held =
    tx.checkpoint === undefined
      ? writer
      : { ...writer, checkpoint: (p: string) => tx.checkpoint!(p) };
  return tx.outbox === undefined ? held : { ...held, outbox: tx.outbox };
}
