/**
 * What the IndexedDB driver runs wherever there is an IndexedDB: the conformance suites, then the
 * adapter's own tests (reopen, bad input, schema upgrades and refusals, two connections as two
 * tabs, outbox, inbox, snapshots, storage and compaction, closing). Node runs it on
 * fake-indexeddb; `npm test` also runs it in Chromium on the real thing (test/browser/).
 * Imports nothing of Node, so that it bundles for the browser.
 */
import { describe, expect, it } from 'vitest';
import {
  type IndexedDbDriver,
  type IndexedDbDriverOptions,
  indexedDbDriver,
  SCHEMA_VERSION,
} from '../../adapters/indexeddb/mod.ts';
import { isConcurrencyError, isWhizbangError } from '../../js/errors.ts';
import type { OutboxRecord } from '../../js/outbox.ts';
import { subscribe } from '../../js/subscription.ts';
import {
  accountEvent,
  accountEvents,
  caught,
  eventually,
  range,
  sleep,
} from '../conformance/helpers.ts';
import { ledgerConformance } from '../conformance/ledger.ts';
import { storeConformance } from '../conformance/store.ts';

/** Where the suite runs: an IndexedDB and a way to name a database no test has used. */
export interface IndexedDbEnvironment {
  readonly indexedDB: IDBFactory;
  readonly IDBKeyRange: typeof IDBKeyRange;
  /** A database name unused so far. */
  readonly freshName: () => string;
}

const message = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** A Whizbang error's code, or the error's name and message, so a failure says what came. */
const codeOf = (error: unknown): string =>
  isWhizbangError(error)
    ? error.code
    : `${(error as { name?: string } | null)?.name ?? typeof error}: ${message(error)}`;

/** Opens a database by hand at `version`, running `upgrade` when it is created or upgraded. */
function openRaw(
  factory: IDBFactory,
  name: string,
  version: number,
  upgrade?: (db: IDBDatabase, tx: IDBTransaction) => void,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, version);
    request.onupgradeneeded = () => upgrade?.(request.result, request.transaction!);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function all<T>(db: IDBDatabase, store: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const request = db.transaction(store).objectStore(store).getAll();
    request.onsuccess = () => resolve(request.result as T[]);
    request.onerror = () => reject(request.error);
  });
}

/** What a version-1 database held: the ledger and the read models, written by hand. */
async function versionOneDatabase(factory: IDBFactory, name: string): Promise<void> {
  const db = await openRaw(factory, name, 1, (raw) => {
    const events = raw.createObjectStore('events', { keyPath: 'position' });
    events.createIndex('stream', ['tenant', 'streamId', 'version'], { unique: true });
    raw.createObjectStore('perspectives', { keyPath: ['perspective', 'tenant', 'id'] });
    raw.createObjectStore('checkpoints', { keyPath: 'perspective' });
  });
  const tx = db.transaction(['events', 'perspectives', 'checkpoints'], 'readwrite');
  const event = (position: number, streamId: string, version: number, type: string) => ({
    position,
    tenant: 'default',
    streamId,
    version,
    type,
    messageId: `m${position}`,
    correlationId: `m${position}`,
    causationId: `m${position}`,
    timestamp: 1_700_000_000_000 + position,
    data: JSON.stringify({ n: position }),
  });
  tx.objectStore('events').add(event(1, 'a', 1, 'Opened'));
  tx.objectStore('events').add(event(2, 'b', 1, 'Opened'));
  tx.objectStore('events').add(event(3, 'a', 2, 'Deposited'));
  tx.objectStore('perspectives').put({
    perspective: 'balances',
    tenant: 'default',
    id: 'a',
    model: { balance: 3 },
    version: 2,
    position: 3,
    updatedAt: 1_700_000_000_003,
  });
  tx.objectStore('checkpoints').put({ perspective: 'balances', position: 3 });
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error);
  });
  db.close();
}

function outboxRecord(id: string, enqueuedAt: number): OutboxRecord {
  return {
    id,
    topic: 'whizbang.events.Shipped',
    envelope: {
      message: { kind: 'event', type: 'Shipped', data: { id } },
      messageId: id,
      correlationId: id,
      causationId: id,
      tenant: 'default',
      timestamp: enqueuedAt,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      hops: [],
    } as unknown as OutboxRecord['envelope'],
    attempts: 0,
    enqueuedAt,
    availableAt: enqueuedAt,
  };
}

/** Registers the conformance suites and the adapter's own tests on `env`. */
export function indexedDbSuite(label: string, env: IndexedDbEnvironment): void {
  const open = (
    name: string,
    options: Omit<IndexedDbDriverOptions, 'indexedDB' | 'IDBKeyRange' | 'name'> = {},
  ): Promise<IndexedDbDriver> =>
    indexedDbDriver({ ...options, name, indexedDB: env.indexedDB, IDBKeyRange: env.IDBKeyRange });
  const fresh = () => open(env.freshName());

  ledgerConformance(label, fresh);
  storeConformance(label, fresh);

  describe(`${label}: databases`, () => {
    it('opens a database again and keeps what was written', async () => {
      const name = env.freshName();
      const a = await open(name);
      await a.ledger.append('s', [{ type: 'T', data: { x: 1 } }], {
        inTransaction: (events, tx) =>
          tx.put('p', {
            id: 's',
            tenant: 'default',
            model: { at: new Date(0), seen: events.length },
            version: 1,
            position: 1,
            updatedAt: 0,
          }),
      });
      await a.snapshots.save('Account', 'default', 's', {
        version: 1,
        state: { x: 1 },
        schemaVersion: 1,
        takenAt: 5,
      });
      a.close();
      const b = await open(name);
      expect((await b.ledger.readStream('s')).map((e) => e.data)).toEqual([{ x: 1 }]);
      // models are structured clones: a Date stays a Date
      expect((await b.store.get('p', 'default', 's'))?.model).toEqual({ at: new Date(0), seen: 1 });
      expect(await b.snapshots.load('Account', 'default', 's')).toEqual({
        version: 1,
        state: { x: 1 },
        schemaVersion: 1,
        takenAt: 5,
      });
      expect(b.database.version).toBe(SCHEMA_VERSION);
      b.close();
    });

    it('upgrades a version-1 database in place, keeping its events, models and checkpoints', async () => {
      const name = env.freshName();
      await versionOneDatabase(env.indexedDB, name);
      const driver = await open(name);
      try {
        expect(driver.database.version).toBe(SCHEMA_VERSION);
        const read = await driver.ledger.readAll();
        expect(read.map((e) => [e.position, e.streamId, e.version, e.type, e.data])).toEqual([
          [1, 'a', 1, 'Opened', { n: 1 }],
          [2, 'b', 1, 'Opened', { n: 2 }],
          [3, 'a', 2, 'Deposited', { n: 3 }],
        ]);
        // the indexes added by the upgrade cover the old events
        expect((await driver.ledger.readAll({ types: ['Opened'] })).map((e) => e.position)).toEqual(
          [1, 2],
        );
        expect((await driver.ledger.readAll({ tenant: 'default' })).length).toBe(3);
        expect(await driver.store.get('balances', 'default', 'a')).toMatchObject({
          model: { balance: 3 },
        });
        expect(await driver.store.checkpoint('balances')).toBe(3);
        // and the new stores work
        const next = await driver.ledger.append('a', [accountEvent()], {
          expectedVersion: 2,
          inTransaction: (_events, tx) => tx.outbox!.enqueue([outboxRecord('o1', 1)]),
        });
        expect(next).toMatchObject({ version: 3, position: 4 });
        expect((await driver.store.outbox.pending(10, Date.now())).map((r) => r.id)).toEqual([
          'o1',
        ]);
      } finally {
        driver.close();
      }
    });

    it('refuses a database of a newer schema, and leaves it as it was', async () => {
      const name = env.freshName();
      const raw = await openRaw(env.indexedDB, name, SCHEMA_VERSION + 1, (db) => {
        db.createObjectStore('events', { keyPath: 'position' });
        db.createObjectStore('perspectives', { keyPath: ['perspective', 'tenant', 'id'] });
        db.createObjectStore('checkpoints', { keyPath: 'perspective' });
        db.createObjectStore('future', { keyPath: 'id' });
      });
      raw.close();
      const error = await caught(() => open(name));
      expect(codeOf(error)).toBe('INVALID_ARGUMENT');
      expect(message(error)).toContain(
        `newer Whizbang (schema ${SCHEMA_VERSION + 1}; this one knows ${SCHEMA_VERSION})`,
      );
      expect(message(error)).toContain(name);
      const after = await openRaw(env.indexedDB, name, SCHEMA_VERSION + 1);
      expect(after.version).toBe(SCHEMA_VERSION + 1);
      expect(Array.from(after.objectStoreNames).sort()).toEqual([
        'checkpoints',
        'events',
        'future',
        'perspectives',
      ]);
      after.close();
    });

    it("refuses another application's database, and leaves it as it was", async () => {
      for (const version of [1, SCHEMA_VERSION, SCHEMA_VERSION + 3]) {
        const name = env.freshName();
        const raw = await openRaw(env.indexedDB, name, version, (db) => {
          db.createObjectStore('todos', { keyPath: 'id' }).put({ id: 1, title: 'milk' });
        });
        raw.close();
        const error = await caught(() => open(name));
        expect(codeOf(error)).toBe('INVALID_ARGUMENT');
        expect(message(error)).toMatch(/holds stores of another application \("todos"\)/);
        const after = await openRaw(env.indexedDB, name, version);
        expect(after.version).toBe(version);
        expect(Array.from(after.objectStoreNames)).toEqual(['todos']);
        expect(await all(after, 'todos')).toEqual([{ id: 1, title: 'milk' }]);
        after.close();
      }
    });

    it('another connection upgrading the database closes this one, which then refuses with CLOSED', async () => {
      const name = env.freshName();
      let told = 0;
      const driver = await open(name, {
        onVersionChange: () => {
          told++;
        },
      });
      await driver.ledger.append('s', accountEvents(1));
      // a newer version of the app in another tab: not blocked by this connection
      const newer = await openRaw(env.indexedDB, name, SCHEMA_VERSION + 1);
      expect(told).toBe(1);
      const error = await caught(() => driver.ledger.append('s', accountEvents(1)));
      expect(codeOf(error)).toBe('CLOSED');
      expect(message(error)).toMatch(/upgraded or deleted by another tab.*Reload/);
      expect(isWhizbangError(await caught(() => driver.ledger.readAll()), 'CLOSED')).toBe(true);
      newer.close();
    });

    it('a closed driver refuses every call with CLOSED', async () => {
      const driver = await fresh();
      driver.close();
      driver.close();
      const calls: (() => unknown)[] = [
        () => driver.ledger.append('s', accountEvents(1)),
        () => driver.ledger.readStream('s'),
        () => driver.ledger.readAll(),
        () => driver.ledger.headPosition(),
        () => driver.store.get('p', 'default', 'x'),
        () => driver.store.transaction((tx) => tx.setCheckpoint('p', 1)),
        () => driver.store.outbox.pending(1, 0),
        () => driver.snapshots.load('k', 'default', 'x'),
        () => driver.storage(),
        () => driver.compact({ inboxBefore: 0 }),
      ];
      for (const call of calls) {
        const error = await caught(call);
        expect(codeOf(error)).toBe('CLOSED');
      }
    });

    it('takes a durability of strict, relaxed or default, and refuses another', async () => {
      for (const durability of ['strict', 'relaxed', 'default'] as const) {
        const driver = await open(env.freshName(), { durability });
        await driver.ledger.append('s', accountEvents(2));
        expect(await driver.ledger.streamVersion('s')).toBe(2);
        driver.close();
      }
      const error = await caught(() => open(env.freshName(), { durability: 'eventual' as never }));
      expect(codeOf(error)).toBe('INVALID_ARGUMENT');
    });
  });

  describe(`${label}: bad input`, () => {
    it('refuses an event over maxPayloadBytes before the transaction; its append writes nothing', async () => {
      const driver = await open(env.freshName(), { maxPayloadBytes: 100 });
      try {
        await driver.ledger.append('s', [{ type: 'AtLimit', data: 'x'.repeat(98) }]); // 100 bytes
        const refused = [
          [
            { type: 'Fine', data: 1 },
            { type: 'Big', data: 'x'.repeat(99) },
          ],
          [{ type: 'Big', data: 1, metadata: { note: 'x'.repeat(100) } }],
          // 60 × "é" is 62 characters of JSON but 122 bytes of UTF-8
          [{ type: 'Big', data: 'é'.repeat(60) }],
        ];
        for (const events of refused) {
          const error = await caught(() => driver.ledger.append('s', events));
          expect(codeOf(error)).toBe('INVALID_ARGUMENT');
          expect(message(error)).toMatch(/"Big".*over the 100-byte limit.*nothing was written/);
        }
        expect(await driver.ledger.headPosition()).toBe(1);
        expect((await driver.ledger.readAll()).map((e) => e.type)).toEqual(['AtLimit']);
      } finally {
        driver.close();
      }
    });

    it('refuses data JSON cannot hold before the transaction, and writes nothing', async () => {
      const driver = await fresh();
      try {
        const error = await caught(() => driver.ledger.append('s', [{ type: 'T', data: 1n }]));
        expect(error).toBeInstanceOf(TypeError);
        expect(await driver.ledger.headPosition()).toBe(0);
      } finally {
        driver.close();
      }
    });

    it('a model the browser cannot clone rolls the whole append back', async () => {
      const driver = await fresh();
      try {
        const error = await caught(() =>
          driver.ledger.append('s', [{ type: 'T', data: {} }], {
            inTransaction: (_events, tx) =>
              tx.put('p', {
                id: 'a',
                tenant: 'default',
                model: { run: () => 1 },
                version: 1,
                position: 1,
                updatedAt: 0,
              }),
          }),
        );
        expect(codeOf(error)).toMatch(/^DataCloneError: /);
        expect(await driver.ledger.headPosition()).toBe(0);
        expect(await driver.store.get('p', 'default', 'a')).toBeUndefined();
      } finally {
        driver.close();
      }
    });

    it('a write the transaction callback does not await, made after it committed, is refused', async () => {
      const driver = await fresh();
      try {
        let late: Promise<unknown> | undefined;
        await driver.store.transaction((tx) => {
          late = sleep(5)
            .then(() =>
              tx.put('p', {
                id: 'late',
                tenant: 'default',
                model: {},
                version: 1,
                position: 1,
                updatedAt: 0,
              }),
            )
            .then(
              () => 'written',
              (error: unknown) => error,
            );
        });
        const error = await late;
        expect(codeOf(error)).toBe('CLOSED');
        expect(message(error)).toMatch(/already committed/);
        expect(await driver.store.get('p', 'default', 'late')).toBeUndefined();
      } finally {
        driver.close();
      }
    });
  });

  describe(`${label}: two connections, as two tabs`, () => {
    it('racing on one stream with one expected version, exactly one wins each round', async () => {
      const name = env.freshName();
      const [a, b] = [await open(name), await open(name)];
      try {
        const winners: string[] = [];
        for (let round = 0; round < 6; round++) {
          const results = await Promise.allSettled(
            [a, b, a, b].map((d, i) =>
              d.ledger.append('shared', [accountEvent('Raced', { metadata: { racer: i } })], {
                expectedVersion: round,
              }),
            ),
          );
          const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
          expect(won).toHaveLength(1);
          for (const r of results) {
            if (r.status === 'rejected') expect(isConcurrencyError(r.reason)).toBe(true);
          }
          winners.push(String(won[0]));
        }
        const events = await b.ledger.readStream('shared');
        expect(events.map((e) => e.version)).toEqual(range(1, 6));
        expect(events.map((e) => String(e.metadata?.racer))).toEqual(winners);
        expect((await a.ledger.readAll()).map((e) => e.position)).toEqual(range(1, 6));
      } finally {
        a.close();
        b.close();
      }
    });

    it('a subscription on one sees every event the other writes, once each and in order', async () => {
      const name = env.freshName();
      const [writer, reader] = [await open(name), await open(name)];
      const seen: number[] = [];
      const sub = subscribe(
        reader.ledger,
        (event) => {
          seen.push(event.position);
        },
        { batchSize: 5 },
      );
      try {
        for (let round = 0; round < 20; round++) {
          await writer.ledger.append(`w${round % 3}`, accountEvents((round % 4) + 1));
          // the reader writes too, but the last events are all the writer's
          if (round % 5 === 2) await reader.ledger.append('r', accountEvents(1));
          if (round % 3 === 0) await sleep(0);
        }
        const head = await writer.ledger.headPosition();
        // woken by the other connection's notices: no polling is set up anywhere
        await eventually(() => seen.length >= head, 5_000);
        expect(seen).toEqual(range(1, head));
        await sleep(20);
        expect(seen).toEqual(range(1, head));
      } finally {
        await sub.stop();
        writer.close();
        reader.close();
      }
    });

    it("a connection that missed the other one's commits still appends at the true version", async () => {
      const name = env.freshName();
      const [deaf, other] = [await open(name, { broadcast: false }), await open(name)];
      try {
        await deaf.ledger.append('s', accountEvents(2)); // deaf saw version 2
        await other.ledger.append('s', accountEvents(1)); // 3, unheard by deaf
        expect(await deaf.ledger.append('s', accountEvents(1))).toMatchObject({
          version: 4,
          position: 4,
        });
        // deaf expects what it saw; the stream moved on: a conflict with the true version
        await other.ledger.append('s', accountEvents(1)); // 5
        const conflict = await caught(() =>
          deaf.ledger.append('s', accountEvents(1), { expectedVersion: 4 }),
        );
        expect(conflict).toMatchObject({ code: 'CONCURRENCY_CONFLICT', expected: 4, actual: 5 });
        await other.ledger.append('t', accountEvents(1));
        const exists = await caught(() =>
          deaf.ledger.append('t', accountEvents(1), { expectedVersion: 'no_stream' }),
        );
        expect(exists).toMatchObject({ code: 'CONCURRENCY_CONFLICT', actual: 1 });
        expect((await other.ledger.readAll()).map((e) => [e.streamId, e.version])).toEqual([
          ['s', 1],
          ['s', 2],
          ['s', 3],
          ['s', 4],
          ['s', 5],
          ['t', 1],
        ]);
      } finally {
        deaf.close();
        other.close();
      }
    });

    it('with broadcast off, the other connection is not woken by these commits', async () => {
      const name = env.freshName();
      const [quiet, other] = [await open(name, { broadcast: false }), await open(name)];
      let woken = 0;
      const unwatch = other.ledger.watch(() => {
        woken++;
      });
      try {
        await quiet.ledger.append('s', accountEvents(2));
        await sleep(30);
        expect(woken).toBe(0);
        expect(await other.ledger.headPosition()).toBe(2);
        await other.ledger.append('s', accountEvents(1));
        await eventually(() => woken > 0);
      } finally {
        unwatch();
        quiet.close();
        other.close();
      }
    });
  });

  describe(`${label}: outbox, inbox and snapshots`, () => {
    it('keeps outbox records in order, retries, delivers and removes them', async () => {
      const driver = await fresh();
      const { outbox } = driver.store;
      try {
        await driver.ledger.append('s', accountEvents(1), {
          inTransaction: (_events, tx) =>
            tx.outbox!.enqueue([outboxRecord('a', 10), outboxRecord('b', 11)]),
        });
        await driver.store.transaction((tx) =>
          tx.outbox!.enqueue([outboxRecord('c', 12), outboxRecord('d', 13)]),
        );
        expect((await outbox.pending(10, 100)).map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
        expect(await outbox.pending(2, 100)).toEqual([
          outboxRecord('a', 10),
          outboxRecord('b', 11),
        ]);
        await outbox.retryLater('a', 'transport down', 500);
        expect((await outbox.pending(10, 100)).map((r) => r.id)).toEqual(['b', 'c', 'd']);
        expect((await outbox.pending(10, 500))[0]).toEqual({
          ...outboxRecord('a', 10),
          attempts: 1,
          availableAt: 500,
          lastError: 'transport down',
        });
        await outbox.delivered(['b', 'c', 'nope']);
        await outbox.remove('d');
        await outbox.remove('nope');
        expect((await outbox.pending(10, 1000)).map((r) => r.id)).toEqual(['a']);
        // a rolled-back append leaves no outbox record
        await caught(() =>
          driver.ledger.append('s', accountEvents(1), {
            inTransaction: async (_events, tx) => {
              await tx.outbox!.enqueue([outboxRecord('e', 14)]);
              throw new Error('no');
            },
          }),
        );
        expect((await outbox.pending(10, 1000)).map((r) => r.id)).toEqual(['a']);
      } finally {
        driver.close();
      }
    });

    it('marks a message handled once; a second mark is DUPLICATE_MESSAGE and rolls its append back', async () => {
      const driver = await fresh();
      try {
        await driver.ledger.append('s', accountEvents(1), {
          inTransaction: (_events, tx) => tx.outbox!.markHandled('acme', 'm1'),
        });
        expect(await driver.store.outbox.handled('acme', 'm1')).toBe(true);
        expect(await driver.store.outbox.handled('default', 'm1')).toBe(false);
        const error = await caught(() =>
          driver.ledger.append('s', accountEvents(1), {
            inTransaction: (_events, tx) => tx.outbox!.markHandled('acme', 'm1'),
          }),
        );
        expect(codeOf(error)).toBe('DUPLICATE_MESSAGE');
        expect(await driver.ledger.streamVersion('s')).toBe(1);
        // the store's own transaction: the duplicate can be caught and the rest kept
        await driver.store.transaction(async (tx) => {
          const dup = await caught(() => tx.outbox!.markHandled('acme', 'm1'));
          expect(isWhizbangError(dup, 'DUPLICATE_MESSAGE')).toBe(true);
          await tx.setCheckpoint('p', 4);
        });
        expect(await driver.store.checkpoint('p')).toBe(4);
      } finally {
        driver.close();
      }
    });

    it('saves, replaces and loads snapshots by kind, tenant and id', async () => {
      const driver = await fresh();
      const snap = (version: number) => ({
        version,
        state: { balance: version * 10 },
        schemaVersion: 2,
        takenAt: version,
      });
      try {
        expect(await driver.snapshots.load('Account', 'default', 'a')).toBeUndefined();
        await driver.snapshots.save('Account', 'default', 'a', snap(1));
        await driver.snapshots.save('Account', 'default', 'a', snap(5));
        await driver.snapshots.save('Account', 'acme', 'a', snap(2));
        await driver.snapshots.save('Audit', 'default', 'a', snap(3));
        expect(await driver.snapshots.load('Account', 'default', 'a')).toEqual(snap(5));
        expect(await driver.snapshots.load('Account', 'acme', 'a')).toEqual(snap(2));
        expect(await driver.snapshots.load('Audit', 'default', 'a')).toEqual(snap(3));
        expect(await driver.snapshots.load('Account', 'default', 'b')).toBeUndefined();
      } finally {
        driver.close();
      }
    });
  });

  describe(`${label}: storage`, () => {
    it('counts what each store holds', async () => {
      const driver = await fresh();
      try {
        await driver.ledger.append('s', accountEvents(3), {
          inTransaction: async (events, tx) => {
            await tx.put('p', {
              id: 's',
              tenant: 'default',
              model: {},
              version: 3,
              position: events[2]!.position,
              updatedAt: 0,
            });
            await tx.setCheckpoint('p', 3);
            await tx.outbox!.enqueue([outboxRecord('o', 1)]);
            await tx.outbox!.markHandled('default', 'in-1');
          },
        });
        await driver.snapshots.save('Account', 'default', 's', {
          version: 3,
          state: {},
          schemaVersion: 1,
          takenAt: 0,
        });
        const report = await driver.storage();
        expect(report.counts).toEqual({
          events: 3,
          perspectives: 1,
          checkpoints: 1,
          snapshots: 1,
          outbox: 1,
          inbox: 1,
        });
        const estimate = (globalThis as { navigator?: { storage?: unknown } }).navigator?.storage;
        if (estimate === undefined) expect(report.usage).toBeUndefined();
        else expect(report.usage).toBeGreaterThan(0);
      } finally {
        driver.close();
      }
    });

    it('compacts old inbox entries and the history snapshots cover, never what is still needed', async () => {
      const name = env.freshName();
      const driver = await open(name);
      // another tab that hears no notices: it goes on from the versions it saw
      const other = await open(name, { broadcast: false });
      const { ledger } = driver;
      try {
        await ledger.append('a', accountEvents(5)); // 1..5
        await ledger.append('b', accountEvents(3)); // 6..8
        await ledger.append('c', accountEvents(2)); // 9..10
        await ledger.append('a', accountEvents(2)); // 11..12: a is at version 7
        await driver.store.transaction(async (tx) => {
          await tx.outbox!.markHandled('default', 'old');
          await tx.setCheckpoint('slow', 8); // a perspective that has applied up to position 8
        });
        const snap = (version: number) => ({ version, state: {}, schemaVersion: 1, takenAt: 0 });
        await driver.snapshots.save('Account', 'default', 'a', snap(6));
        await driver.snapshots.save('Audit', 'default', 'a', snap(4));
        await driver.snapshots.save('Account', 'default', 'b', snap(3));
        const cutoff = Date.now() + 1;
        await sleep(2);
        await driver.store.transaction((tx) => tx.outbox!.markHandled('default', 'new'));

        const streams = [
          { streamId: 'a', before: 100 }, // every snapshot covers through 4
          { streamId: 'b', before: 100 }, // covered through 3: the whole stream
          { streamId: 'c', before: 100 }, // no snapshot: nothing goes
        ];
        expect(await driver.compact({ inboxBefore: cutoff, streams })).toEqual({
          inbox: 1,
          events: 4 + 3,
        });
        expect((await ledger.readStream('a')).map((e) => e.version)).toEqual([5, 6, 7]);
        expect(await ledger.readStream('b')).toEqual([]);
        expect((await ledger.readStream('c')).map((e) => e.version)).toEqual([1, 2]);
        expect((await ledger.readAll()).map((e) => e.position)).toEqual([5, 9, 10, 11, 12]);
        expect((await ledger.readAll({ limit: 2 })).map((e) => e.position)).toEqual([5, 9]);
        expect((await ledger.readAll({ from: 2, limit: 1 })).map((e) => e.position)).toEqual([5]);
        expect(await ledger.streamVersion('b')).toBe(3);
        expect(await ledger.headPosition()).toBe(12);
        expect(await driver.store.outbox.handled('default', 'old')).toBe(false);
        expect(await driver.store.outbox.handled('default', 'new')).toBe(true);
        expect(await driver.compact({ streams })).toEqual({ inbox: 0, events: 0 });

        // a checkpoint holds back what its perspective has not applied
        expect(await other.ledger.streamVersion('a')).toBe(7);
        await ledger.append('a', accountEvents(2)); // 13..14: a at 9
        await driver.snapshots.save('Account', 'default', 'a', snap(8));
        await driver.snapshots.save('Audit', 'default', 'a', snap(8));
        expect(await driver.compact({ streams: [{ streamId: 'a', before: 100 }] })).toEqual({
          inbox: 0,
          events: 1, // version 5 (position 5); version 6 is at position 11, past the checkpoint
        });
        await driver.store.transaction((tx) => tx.setCheckpoint('slow', 100));
        expect(await driver.compact({ streams: [{ streamId: 'a', before: 100 }] })).toEqual({
          inbox: 0,
          events: 3, // versions 6..8
        });
        expect((await ledger.readStream('a')).map((e) => e.version)).toEqual([9]);
        // the other tab saw version 7; versions 8 and 9 are taken, compacted or not
        const late = await other.ledger.append('a', accountEvents(1));
        expect(late).toMatchObject({ version: 10, position: 15 });
        expect((await ledger.readStream('a')).map((e) => [e.version, e.position])).toEqual([
          [9, 14],
          [10, 15],
        ]);
        expect((await driver.storage()).counts.events).toBe(15);

        const bad = await caught(() => driver.compact({ streams: [{ streamId: 'a', before: 0 }] }));
        expect(codeOf(bad)).toBe('INVALID_ARGUMENT');
      } finally {
        driver.close();
        other.close();
      }
    });
  });
}
