/**
 * The browser replica benchmarks' page side, run in Chromium: one replica of `N` events held by
 * today's per-record IndexedDB driver and one held by the segment store, filled the same way
 * (records put raw in large transactions, as the driver stores them; the segment side then seals
 * them with `driver.segments.seal()`). Streams are written 100 events at a time (a replica's
 * commits, one stream each). Each call times its own work with `performance.now()`.
 */
import { indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import type { EventRecord } from '../../adapters/indexeddb/records.ts';
import type { RecordedEvent } from '../../js/contracts/ledger.ts';

type Side = 'subject' | 'baseline';
/** Events per stream (one stream is what the open bench reads). */
const PER_STREAM = 100;
const PAGE = 1000;

/**
 * The type of the `i`-th event (from 0): one in ten `Opened`, spread evenly; `Closed` in bursts
 * (the first 100 events of every 10 000, between the `Opened` ones: 90 of each 10 000, a few
 * segments), the rest `Deposited`.
 */
const kind = (i: number): string =>
  i % 10 === 0 ? 'Opened' : i % 10_000 < 100 ? 'Closed' : 'Deposited';

function record(position: number, now: number): EventRecord {
  const stream = Math.floor((position - 1) / PER_STREAM);
  const id = crypto.randomUUID();
  const i = position - 1;
  return {
    position,
    tenant: 'default',
    streamId: `account-${stream}`,
    version: ((position - 1) % PER_STREAM) + 1,
    type: kind(i),
    messageId: id,
    correlationId: id,
    causationId: id,
    timestamp: now + i,
    data: JSON.stringify({
      accountId: `account-${stream}`,
      amount: (i * 7919) % 10_000,
      note: 'deposit at the counter',
    }),
  };
}

async function usage(): Promise<number> {
  return (await navigator.storage.estimate()).usage ?? 0;
}

/** Puts `n` events raw into the database `name` (created with the driver's schema). */
async function fillRaw(name: string, n: number): Promise<void> {
  (await indexedDbDriver({ name, broadcast: false })).close();
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open(name);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const now = Date.now();
  for (let from = 1; from <= n; from += 20_000) {
    const tx = db.transaction('events', 'readwrite', { durability: 'relaxed' });
    const store = tx.objectStore('events');
    for (let p = from; p < Math.min(n + 1, from + 20_000); p++) store.put(record(p, now));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(tx.error);
    });
  }
  db.close();
}

const openDb = (name: string) =>
  new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open(name);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
const settled = <T>(r: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
const toBase64 = (bytes: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  return btoa(s);
};
const fromBase64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** The sealed part of a replica as plain data (segments' bytes in base64), to carry to another origin. */
interface Dump {
  readonly segments: [IDBValidKey, { first: number; last: number; count: number; bytes: string }][];
  readonly sealed: [IDBValidKey, unknown][];
}

/** Fills and seals a replica of `n` events here, and returns its sealed part. */
async function sealedDump(n: number): Promise<Dump> {
  const name = `replica-dump-${Date.now()}`;
  await fillRaw(name, n);
  const driver = await indexedDbDriver({ name, broadcast: false, segments: { background: false } });
  await driver.segments!.seal({ all: true });
  driver.close();
  const db = await openDb(name);
  const tx = db.transaction(['segments', 'sealed']);
  const read = async (store: string) => {
    const [keys, values] = await Promise.all([
      settled(tx.objectStore(store).getAllKeys()),
      settled(tx.objectStore(store).getAll()),
    ]);
    return keys.map((k, i) => [k, values[i]] as [IDBValidKey, unknown]);
  };
  const [segments, sealed] = [await read('segments'), await read('sealed')];
  db.close();
  indexedDB.deleteDatabase(name);
  return {
    segments: segments.map(([k, v]) => {
      const r = v as { first: number; last: number; count: number; bytes: Uint8Array };
      return [k, { ...r, bytes: toBase64(r.bytes) }];
    }),
    sealed,
  };
}

/**
 * Writes a sealed part into a new database of this origin (which holds nothing else), and returns
 * the storage estimate's delta: what a sealed replica keeps, with no per-record history behind it.
 */
async function sealedBytes(dump: Dump): Promise<{ bytes: number; events: number }> {
  const name = `replica-sealed-${Date.now()}`;
  (await indexedDbDriver({ name, broadcast: false })).close();
  const before = await usage();
  const db = await openDb(name);
  const tx = db.transaction(['segments', 'sealed'], 'readwrite', { durability: 'relaxed' });
  let events = 0;
  for (const [k, v] of dump.segments) {
    tx.objectStore('segments').put({ ...v, bytes: fromBase64(v.bytes) }, k);
    events += v.count;
  }
  for (const [k, v] of dump.sealed) tx.objectStore('sealed').put(v, k);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error);
  });
  db.close();
  return { bytes: (await usage()) - before, events };
}

interface Filled {
  readonly name: string;
  readonly n: number;
  readonly fillSeconds: number;
  readonly sealSeconds: number;
  readonly bytes: number;
}
const filled = new Map<Side, Filled>();

/** Fills the side's replica once (not timed by the harness); reports what it took. */
async function setup(side: Side, n: number): Promise<Filled> {
  const known = filled.get(side);
  if (known !== undefined) return known;
  const name = `replica-${side}-${Date.now()}`;
  (await indexedDbDriver({ name, broadcast: false })).close();
  const t0 = performance.now();
  const before = await usage();
  await fillRaw(name, n);
  const t1 = performance.now();
  let sealSeconds = 0;
  if (side === 'subject') {
    const driver = await indexedDbDriver({
      name,
      broadcast: false,
      segments: { background: false },
    });
    await driver.segments!.seal({ all: true });
    driver.close();
    sealSeconds = (performance.now() - t1) / 1000;
  }
  const result = {
    name,
    n,
    fillSeconds: (t1 - t0) / 1000,
    sealSeconds,
    bytes: (await usage()) - before,
  };
  filled.set(side, result);
  return result;
}

const open = (side: Side, name: string) =>
  indexedDbDriver({
    name,
    broadcast: false,
    ...(side === 'subject' ? { segments: { background: false } } : {}),
  });

/** Rebuilds two perspectives (balances by account, counts by type) over the first `ops` events. */
async function rebuild(side: Side, ops: number): Promise<{ done: number; seconds: number }> {
  const { name, n } = filled.get(side)!;
  const driver = await open(side, name);
  try {
    const started = performance.now();
    const balances = new Map<string, number>();
    const counts = new Map<string, number>();
    let done = 0;
    let from = 1;
    const last = Math.min(ops, n);
    while (from <= last) {
      const page: readonly RecordedEvent[] = await driver.ledger.readAll({
        from,
        limit: Math.min(PAGE, last - from + 1),
      });
      for (const e of page) {
        const d = e.data as { accountId: string; amount: number };
        balances.set(d.accountId, (balances.get(d.accountId) ?? 0) + d.amount);
        counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
      }
      done += page.length;
      if (page.length === 0) break;
      from = page[page.length - 1]!.position + 1;
    }
    const seconds = (performance.now() - started) / 1000;
    if (done !== last) throw new Error(`rebuild read ${done} events of ${last}`);
    return { done, seconds };
  } finally {
    driver.close();
  }
}

/**
 * Rebuilds one perspective the runtime's way (js/runtime/rebuild.ts: pages of `readAll({ types })`)
 * over the first `ops` events: accounts opened, one event in ten spread evenly (or `Closed`, in
 * bursts: see `kind`). `done` counts the log's events
 * covered, so both sides' figures are events of the replica per second.
 */
async function rebuildTyped(
  side: Side,
  ops: number,
  type: 'Opened' | 'Closed' = 'Opened',
): Promise<{ done: number; seconds: number }> {
  const { name, n } = filled.get(side)!;
  const driver = await open(side, name);
  try {
    const started = performance.now();
    const opened = new Map<string, number>();
    const last = Math.min(ops, n);
    let applied = 0;
    let from = 1;
    while (from <= last) {
      const page: readonly RecordedEvent[] = await driver.ledger.readAll({
        from,
        to: last,
        limit: PAGE,
        types: [type],
      });
      for (const e of page) {
        const d = e.data as { accountId: string; amount: number };
        opened.set(d.accountId, d.amount);
      }
      applied += page.length;
      if (page.length < PAGE) break;
      from = page[page.length - 1]!.position + 1;
    }
    const seconds = (performance.now() - started) / 1000;
    let expected = 0;
    for (let i = 0; i < last; i++) if (kind(i) === type) expected++;
    if (applied !== expected) throw new Error(`rebuild applied ${applied} events of ${expected}`);
    return { done: last, seconds };
  } finally {
    driver.close();
  }
}

/** Cold open (this page is fresh) and one stream of 100 events read: total ms, and the open's part. */
async function openAndRead(
  side: Side,
  name: string,
  stream: number,
): Promise<{ ms: number; openMs: number }> {
  const started = performance.now();
  const driver = await open(side, name);
  const opened = performance.now();
  const events = await driver.ledger.readStream(`account-${stream}`);
  const ms = performance.now() - started;
  driver.close();
  if (events.length !== PER_STREAM)
    throw new Error(`read ${events.length} events, not ${PER_STREAM}`);
  return { ms, openMs: opened - started };
}

declare global {
  var whizbangReplica: {
    ready: boolean;
    setup: typeof setup;
    sealedDump: typeof sealedDump;
    sealedBytes: typeof sealedBytes;
    rebuild: typeof rebuild;
    rebuildTyped: typeof rebuildTyped;
    openAndRead: typeof openAndRead;
  };
}
globalThis.whizbangReplica = {
  ready: true,
  setup,
  sealedDump,
  sealedBytes,
  rebuild,
  rebuildTyped,
  openAndRead,
};
