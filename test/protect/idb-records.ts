/**
 * Every record of every object store of an IndexedDB database, as JSON text (bytes as numbers):
 * what the raw-bytes checks of `whizbang/protect` search for values in clear. Imports nothing of
 * Node, so the Chromium pages use it too.
 */
export async function records(factory: IDBFactory, name: string): Promise<string> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = factory.open(name);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const stores = Array.from(
    { length: db.objectStoreNames.length },
    (_, i) => db.objectStoreNames.item(i)!,
  );
  const tx = db.transaction(stores, 'readonly');
  const all = await Promise.all(
    stores.map(
      (s) =>
        new Promise<unknown[]>((resolve, reject) => {
          const r = tx.objectStore(s).getAll();
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        }),
    ),
  );
  db.close();
  return JSON.stringify(all, (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v));
}
