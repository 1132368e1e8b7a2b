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

function record(position: number, now: number): EventRecord {
  const stream = Math.floor((position - 1) / PER_STREAM);
  const id = crypto.randomUUID();
  const i = position - 1;
  return {
    position,
    tenant: 'default',
    streamId: `account-${stream}`,
    version: ((position - 1) % PER_STREAM) + 1,
    type: i % 10 === 0 ? 'Opened' : 'Deposited',
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

/** Copies the sealed part of `from` into a new database `to` (what a sealed replica keeps). */
async function copySealed(from: string, to: string): Promise<void> {
  (await indexedDbDriver({ name: to, broadcast: false })).close();
  const open = (name: string) =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  const [a, b] = [await open(from), await open(to)];
  for (const store of ['segments', 'sealed']) {
    const tx = a.transaction(store);
    const [keys, values] = await Promise.all(
      [tx.objectStore(store).getAllKeys(), tx.objectStore(store).getAll()].map(
        (r) =>
          new Promise<unknown[]>((resolve, reject) => {
            r.onsuccess = () => resolve(r.result as unknown[]);
            r.onerror = () => reject(r.error);
          }),
      ),
    );
    const w = b.transaction(store, 'readwrite');
    for (const [i, v] of values!.entries()) w.objectStore(store).put(v, keys![i] as IDBValidKey);
    await new Promise<void>((resolve, reject) => {
      w.oncomplete = () => resolve();
      w.onabort = () => reject(w.error);
    });
  }
  a.close();
  b.close();
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
async function setup(side: Side, n: number, bytes: boolean): Promise<Filled> {
  const known = filled.get(side);
  if (known !== undefined) return known;
  const name = `replica-${side}-${Date.now()}`;
  const t0 = performance.now();
  const before = await usage();
  await fillRaw(name, n);
  const t1 = performance.now();
  let sealSeconds = 0;
  let measured = name;
  if (side === 'subject') {
    const driver = await indexedDbDriver({
      name,
      broadcast: false,
      segments: { background: false },
    });
    await driver.segments!.seal({ all: true });
    driver.close();
    sealSeconds = (performance.now() - t1) / 1000;
    if (bytes) {
      // what the replica keeps once sealed, without the per-record history LevelDB still holds
      measured = `${name}-sealed`;
      const mid = await usage();
      await copySealed(name, measured);
      const after = await usage();
      const result = {
        name: measured,
        n,
        fillSeconds: (t1 - t0) / 1000,
        sealSeconds,
        bytes: after - mid,
      };
      filled.set(side, result);
      return result;
    }
  }
  const result = {
    name: measured,
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

/** Cold open (this page is fresh) and one stream of 100 events read; in ms. */
async function openAndRead(side: Side, name: string, stream: number): Promise<number> {
  const started = performance.now();
  const driver = await open(side, name);
  const events = await driver.ledger.readStream(`account-${stream}`);
  const ms = performance.now() - started;
  driver.close();
  if (events.length !== PER_STREAM)
    throw new Error(`read ${events.length} events, not ${PER_STREAM}`);
  return ms;
}

declare global {
  var whizbangReplica: {
    ready: boolean;
    setup: typeof setup;
    rebuild: typeof rebuild;
    openAndRead: typeof openAndRead;
  };
}
globalThis.whizbangReplica = { ready: true, setup, rebuild, openAndRead };
