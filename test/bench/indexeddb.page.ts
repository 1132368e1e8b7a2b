/**
 * The IndexedDB benchmarks' page side, run in Chromium: the driver against raw `idb` doing the
 * same records in the same transaction sizes, both with the driver's durability (`relaxed`).
 * Each call times its own work with `performance.now()` in the page, so the figures do not
 * include the round trip to Node; inputs are made before the clock starts. Each side keeps one
 * database for all its rounds (appends carry on where the last round stopped): making and
 * deleting databases between rounds leaves the browser work that lands in the next round.
 */
import { type IDBPDatabase, openDB } from 'idb';
import { type IndexedDbDriver, indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import type { EventRecord } from '../../adapters/indexeddb/records.ts';
import type { NewEvent } from '../../js/contracts/ledger.ts';

type Side = 'subject' | 'baseline';
export type BenchName = 'append.1' | 'append.batch100' | 'readStream' | 'lens.query';

const STREAMS = 10;
const PER_READ = 100;
let names = 0;
const freshName = (): string => `bench-${Date.now()}-${++names}`;

function data(i: number): { accountId: string; amount: number; note: string } {
  return {
    accountId: `account-${i % STREAMS}`,
    amount: (i * 7919) % 10_000,
    note: 'deposit at the counter',
  };
}

/** The record the driver stores for event `i` of a run (what the raw side puts). */
function record(i: number, streamId: string, version: number, now: number): EventRecord {
  const id = crypto.randomUUID();
  return {
    position: i + 1,
    tenant: 'default',
    streamId,
    version,
    type: 'Deposited',
    messageId: id,
    correlationId: id,
    causationId: id,
    timestamp: now,
    data: JSON.stringify(data(i)),
  };
}

/** A database with the driver's schema, opened raw with `idb`. */
async function rawDatabase(name: string): Promise<IDBPDatabase> {
  (await indexedDbDriver({ name, broadcast: false })).close();
  return openDB(name);
}

interface State {
  readonly name: string;
  readonly driver?: IndexedDbDriver;
  readonly raw?: IDBPDatabase;
  /** The raw side's next position and each stream's version. */
  readonly next: { position: number; versions: number[] };
}
const states = new Map<string, State>();

/** Opens the side's database the first time (not timed). */
async function setup(bench: BenchName, side: Side): Promise<void> {
  const key = `${bench}:${side}`;
  if (states.has(key)) return;
  if (bench === 'lens.query') {
    const name = await lensDatabase();
    const driver = await indexedDbDriver({ name, broadcast: false });
    // the subject declares the fields (entries already there: no pass); the baseline does not
    if (side === 'subject') await driver.store.declare(LENS, ['status', 'dueAt']);
    states.set(key, { name, driver, next: { position: 0, versions: [] } });
    return;
  }
  const name = freshName();
  const next = { position: 0, versions: new Array<number>(STREAMS).fill(0) };
  const state: State =
    side === 'subject'
      ? { name, next, driver: await indexedDbDriver({ name }) }
      : { name, next, raw: await rawDatabase(name) };
  states.set(key, state);
  if (bench === 'readStream') await fill(state);
}

/** 10 streams of 100 events, written by the driver (both sides read the same shape). */
async function fill(state: State): Promise<void> {
  const driver = state.driver ?? (await indexedDbDriver({ name: state.name, broadcast: false }));
  for (let s = 0; s < STREAMS; s++) {
    const events = Array.from({ length: PER_READ }, (_, i) => ({
      type: 'Deposited',
      data: data(i),
    }));
    await driver.ledger.append(`account-${s}`, events);
  }
  if (state.driver === undefined) driver.close();
}

const LENS = 'tasks';
const MODELS = 100_000;
let lensName: Promise<string> | undefined;

/** One database of 100 000 models (100 statuses of 1% each), with status and dueAt declared. */
function lensDatabase(): Promise<string> {
  lensName ??= (async () => {
    const name = freshName();
    const driver = await indexedDbDriver({ name, broadcast: false });
    await driver.store.declare(LENS, ['status', 'dueAt']);
    await driver.store.transaction(async (tx) => {
      for (let i = 0; i < MODELS; i++) {
        void tx.put(LENS, {
          id: `task-${String(i).padStart(6, '0')}`,
          tenant: 'default',
          model: {
            title: `Task ${i}`,
            status: `s${(i * 7919) % 100}`,
            owner: { id: `u${i % 997}` },
            dueAt: 1_700_000_000_000 + ((i * 104_729) % 10_000_000),
          },
          version: 1,
          position: i + 1,
          updatedAt: 1,
        });
      }
    });
    driver.close();
    return name;
  })();
  return lensName;
}

/** Runs `ops` events' worth of `bench` on `side`; returns what it did and how long it took. */
async function run(
  bench: BenchName,
  side: Side,
  ops: number,
): Promise<{ done: number; seconds: number }> {
  const state = states.get(`${bench}:${side}`)!;
  if (bench === 'lens.query') {
    let done = 0;
    const started = performance.now();
    for (let i = 0; i < ops; i++) {
      const found = await state.driver!.store.query(LENS, 'default', {
        where: { status: `s${i % 100}` },
        orderBy: { dueAt: 'asc' },
        limit: 50,
      });
      if (found.length === 50) done += 60; // per minute: a scan takes seconds
    }
    return { done, seconds: (performance.now() - started) / 1000 };
  }
  const per = bench === 'append.batch100' ? 100 : 1;
  if (bench === 'readStream') {
    const reads = Math.max(1, Math.round(ops / PER_READ));
    let done = 0;
    const started = performance.now();
    if (side === 'subject') {
      for (let r = 0; r < reads; r++)
        done += (await state.driver!.ledger.readStream(`account-${r % STREAMS}`)).length;
    } else {
      for (let r = 0; r < reads; r++) {
        const stream = `account-${r % STREAMS}`;
        const range = IDBKeyRange.bound(
          ['default', stream, 1],
          ['default', stream, Number.MAX_SAFE_INTEGER],
        );
        done += (await state.raw!.getAllFromIndex('events', 'stream', range)).length;
      }
    }
    return { done, seconds: (performance.now() - started) / 1000 };
  }
  const batches = Math.max(1, Math.round(ops / per));
  if (side === 'subject') {
    const ledger = state.driver!.ledger;
    const inputs: { stream: string; events: NewEvent[] }[] = [];
    for (let b = 0; b < batches; b++) {
      const events: NewEvent[] = [];
      for (let i = 0; i < per; i++) events.push({ type: 'Deposited', data: data(b * per + i) });
      inputs.push({ stream: `account-${b % STREAMS}`, events });
    }
    const started = performance.now();
    for (const { stream, events } of inputs) await ledger.append(stream, events);
    return { done: batches * per, seconds: (performance.now() - started) / 1000 };
  }
  const db = state.raw!;
  const now = Date.now();
  const { next } = state;
  const records: EventRecord[][] = [];
  for (let b = 0; b < batches; b++) {
    const batch: EventRecord[] = [];
    const s = b % STREAMS;
    for (let i = 0; i < per; i++)
      batch.push(record(next.position++, `account-${s}`, ++next.versions[s]!, now));
    records.push(batch);
  }
  const started = performance.now();
  for (const batch of records) {
    const tx = db.transaction('events', 'readwrite', { durability: 'relaxed' });
    await Promise.all([...batch.map((r) => tx.store.put(r)), tx.done]);
  }
  return { done: batches * per, seconds: (performance.now() - started) / 1000 };
}

declare global {
  var whizbangBench: {
    ready: boolean;
    setup: typeof setup;
    run: typeof run;
  };
}

globalThis.whizbangBench = { ready: true, setup, run };
