/**
 * Wraps a driver so that every call answers on a later turn of the event loop, as IndexedDB and
 * PostgreSQL do: the runtime's asynchronous paths run with the memory driver underneath.
 */
import type {
  AppendOptions,
  Driver,
  Ledger,
  PerspectiveStore,
  Snapshot,
  StoreWriter,
} from '../../js/mod.ts';

const later = async <T>(fn: () => T | Promise<T>): Promise<T> => {
  await new Promise((resolve) => setTimeout(resolve, 0));
  return fn();
};

function asyncWriter(tx: StoreWriter): StoreWriter {
  return {
    get: (p, t, id) => later(() => tx.get(p, t, id)),
    put: (p, row) => later(() => tx.put(p, row)),
    delete: (p, t, id) => later(() => tx.delete(p, t, id)),
    setCheckpoint: (p, pos) => later(() => tx.setCheckpoint(p, pos)),
  };
}

/** The same driver, asynchronous in every answer. */
export function asyncDriver(inner: Driver): Driver {
  const l = inner.ledger;
  const s = inner.store;
  const ledger: Ledger = {
    append: (stream, events, options: AppendOptions = {}) =>
      later(() => {
        const { inTransaction } = options;
        return l.append(
          stream,
          events,
          inTransaction === undefined
            ? options
            : {
                ...options,
                inTransaction: (recorded, tx) => inTransaction(recorded, asyncWriter(tx)),
              },
        );
      }),
    readStream: (stream, options) => later(() => l.readStream(stream, options)),
    readAll: (options) => later(() => l.readAll(options)),
    streamVersion: (stream, options) => later(() => l.streamVersion(stream, options)),
    headPosition: () => later(() => l.headPosition()),
    watch: (listener) => l.watch(listener),
  };
  const store: PerspectiveStore = {
    get: (p, t, id) => later(() => s.get(p, t, id)),
    query: (p, t, q) => later(() => s.query(p, t, q)),
    checkpoint: (p) => later(() => s.checkpoint(p)),
    transaction: (fn) => later(() => s.transaction((tx) => fn(asyncWriter(tx)))),
    clear: (p) => later(() => s.clear(p)),
  };
  const snapshots = inner.snapshots;
  return {
    name: `async(${inner.name})`,
    ledger,
    store,
    ...(snapshots === undefined
      ? {}
      : {
          snapshots: {
            load: (kind: string, tenant: string, id: string) =>
              later(() => snapshots.load(kind, tenant, id)),
            save: (kind: string, tenant: string, id: string, snapshot: Snapshot) =>
              later(() => snapshots.save(kind, tenant, id, snapshot)),
          },
        }),
  };
}
