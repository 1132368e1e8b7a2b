/**
 * Steps of the personal-data scenario that the Node side (test/browser/run.mjs) drives across a
 * reload: a shop on Chromium's IndexedDB, with (or, as the control, without) `protect`, forgets a
 * customer; every raw record of every object store of its databases is then read back as text.
 */
import {
  type IndexedDbDriver,
  indexedDbDriver,
  indexedDbKeyStore,
} from '../../adapters/indexeddb/mod.ts';
import { type Driver, whizbang } from '../../js/mod.ts';
import { type ProtectedDriver, protect, REDACTED } from '../../js/protect/mod.ts';
import {
  ada,
  customers,
  Register,
  Registered,
  Rename,
  Renamed,
  register,
  rename,
} from '../protect/fixture.ts';

// a master key from fixed bytes, so the page after the reload holds the same one (an app would
// keep its non-extractable key in IndexedDB, or fetch it from its server)
const master = (): Promise<CryptoKey> =>
  crypto.subtle.importKey('raw', new Uint8Array(32).fill(7), 'AES-KW', false, [
    'wrapKey',
    'unwrapKey',
  ]);

async function openShop(name: string, sealed: boolean) {
  const idb: IndexedDbDriver = await indexedDbDriver({ name });
  const keys = sealed ? await indexedDbKeyStore({ name }) : undefined;
  const driver: Driver | ProtectedDriver =
    keys === undefined
      ? idb
      : protect(idb, { master: await master(), keys, events: [Registered, Renamed] });
  const app = whizbang('shop')
    .receptor(register)
    .receptor(rename)
    .perspective(customers)
    .build({ driver });
  const close = async (): Promise<void> => {
    await app.close();
    keys?.close?.();
  };
  return { app, driver, close };
}

/**
 * Registers and renames customers c-1 and c-2; with `sealed`, forgets c-1 and rebuilds the
 * customers perspective. Returns c-1's model as the lens answers it.
 */
export async function protectWrite(name: string, sealed: boolean): Promise<unknown> {
  const { app, driver, close } = await openShop(name, sealed);
  try {
    for (const id of ['c-1', 'c-2']) {
      await app.send(Register(ada(id)));
      await app.send(Rename({ customerId: id, name: `Countess ${id}` }));
    }
    await app.waitForPerspectives();
    if (sealed) {
      await (driver as ProtectedDriver).forget('c-1');
      await app.rebuild(customers);
    }
    return await app.lens(customers).get('c-1');
  } finally {
    await close();
  }
}

/** Every record of every object store of every database whose name starts with `prefix`, as text. */
export async function protectRawRecords(prefix: string): Promise<string> {
  const text = new TextDecoder();
  // bytes are searched as text too: a value sealed in a binary record would show there
  const replacer = (_key: string, value: unknown): unknown =>
    value instanceof ArrayBuffer
      ? text.decode(value)
      : ArrayBuffer.isView(value)
        ? text.decode(value)
        : value;
  const out: string[] = [];
  for (const { name } of await indexedDB.databases()) {
    if (name === undefined || !name.startsWith(prefix)) continue;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    try {
      for (const store of Array.from(db.objectStoreNames)) {
        const rows = await new Promise<unknown[]>((resolve, reject) => {
          const r = db.transaction(store, 'readonly').objectStore(store).getAll();
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        out.push(`${name}/${store}: ${JSON.stringify(rows, replacer)}`);
      }
    } finally {
      db.close();
    }
  }
  return out.join('\n');
}

/**
 * After a reload: the protected shop starts, rebuilds, takes a command and answers its lens.
 * Returns both customers' models and the marker, for the Node side to compare.
 */
export async function protectReopen(name: string): Promise<unknown> {
  const { app, close } = await openShop(name, true);
  try {
    await app.rebuild(customers);
    await app.send(Rename({ customerId: 'c-2', name: 'Ada again' }));
    await app.waitForPerspectives();
    const lens = app.lens(customers);
    return { c1: await lens.get('c-1'), c2: await lens.get('c-2'), redacted: REDACTED };
  } finally {
    await close();
  }
}

/** Deletes the databases whose name starts with `prefix`. */
export async function protectCleanup(prefix: string): Promise<number> {
  let n = 0;
  for (const { name } of await indexedDB.databases()) {
    if (name === undefined || !name.startsWith(prefix)) continue;
    await new Promise<void>((resolve, reject) => {
      const r = indexedDB.deleteDatabase(name);
      r.onsuccess = () => resolve();
      r.onerror = () => reject(r.error);
      r.onblocked = () => resolve();
    });
    n++;
  }
  return n;
}
