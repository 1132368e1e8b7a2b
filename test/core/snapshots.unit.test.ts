// @runtimes node deno bun
/** Snapshots of stateful receptors' state: taken every N events, used on a cache miss, never trusted blindly. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memorySnapshots } from '../../js/memory/snapshots.ts';
import {
  type Driver,
  defineCommand,
  defineEvent,
  defineReceptor,
  defineState,
  type Ledger,
  type MaybePromise,
  memoryDriver,
  payload,
  type RecordedEvent,
  reply,
  type Snapshot,
  type SnapshotStore,
  type StateDefinition,
  whizbang,
} from '../../js/mod.ts';
import { type SnapshotIssue, StateCache } from '../../js/runtime/state-cache.ts';

// A tally whose state depends on the order of its events (a rolling hash), so a fold that skips,
// repeats or reorders an event shows.
const Add = defineCommand('Add', payload<{ id: string; values: number[] }>());
const Read = defineCommand('Read', payload<{ id: string }>());
const Added = defineEvent('Added', payload<{ value: number }>());

interface Tally {
  readonly count: number;
  readonly sum: number;
  readonly hash: number;
}
const evolveTally = (s: Tally, e: RecordedEvent<ReturnType<typeof Added>>): Tally => ({
  count: s.count + 1,
  sum: s.sum + e.data.value,
  hash: (Math.imul(s.hash, 31) + e.data.value + e.version) | 0,
});
const TallyState = defineState<Tally, ReturnType<typeof Added>>({
  name: 'Tally',
  initial: () => ({ count: 0, sum: 0, hash: 7 }),
  evolve: evolveTally,
});

const stream = (c: { data: { id: string } }): string => `tally-${c.data.id}`;

function tallyApp(driver: Driver, state: StateDefinition<any, any>, options: Options = {}) {
  return whizbang('tally')
    .receptor(
      defineReceptor({
        command: Add,
        stream,
        state,
        decide: (c) => c.data.values.map((value) => Added({ value })),
      }),
    )
    .receptor(defineReceptor({ command: Read, stream, state, decide: (_c, s) => reply(s) }))
    .build({ driver, ...options });
}
interface Options {
  readonly snapshotEvery?: number;
  readonly stateCacheSize?: number;
}

/** Full replay, without the cache or snapshots. */
const replay = (events: readonly RecordedEvent[], state: StateDefinition<any, any> = TallyState) =>
  events.reduce((s, e) => state.evolve(s, e), state.initial());

/** Counts the events each `readStream` returns. */
function counted(driver: Driver): { driver: Driver; read: () => number } {
  let read = 0;
  const inner = driver.ledger;
  const ledger: Ledger = {
    ...inner,
    readStream: (id, options) => {
      const events = inner.readStream(id, options);
      if (Array.isArray(events)) read += events.length;
      else void events.then((list) => (read += list.length));
      return events;
    },
  };
  return {
    driver: { ...driver, ledger },
    read: () => {
      const n = read;
      read = 0;
      return n;
    },
  };
}

/** Records every save, and answers later when `async`. */
function spy(inner: SnapshotStore, async = false) {
  const saves: Array<{ kind: string; tenant: string; id: string; snapshot: Snapshot }> = [];
  const later = <T>(fn: () => MaybePromise<T>): MaybePromise<T> =>
    async ? new Promise<T>((resolve) => setTimeout(() => resolve(fn()), 0)) : fn();
  const store: SnapshotStore = {
    load: (kind, tenant, id) => later(() => inner.load(kind, tenant, id)),
    save: (kind, tenant, id, snapshot) => {
      saves.push({ kind, tenant, id, snapshot });
      return later(() => inner.save(kind, tenant, id, snapshot));
    },
  };
  return { store, saves };
}

const versions = (saves: ReturnType<typeof spy>['saves']) => saves.map((s) => s.snapshot.version);

describe('memorySnapshots', () => {
  it('keeps the newest snapshot per kind, tenant and id', () => {
    const store = memorySnapshots();
    const at = (version: number): Snapshot => ({
      version,
      state: version,
      schemaVersion: 1,
      takenAt: 0,
    });
    store.save('k', 't', 'a', at(1));
    store.save('k', 't', 'a', at(2));
    store.save('k', 'u', 'a', at(3));
    store.save('k2', 't', 'a', at(4));
    store.save('k', 't\u0000a', '', at(5)); // no separator tricks
    expect(store.load('k', 't', 'a')?.version).toBe(2);
    expect(store.load('k', 'u', 'a')?.version).toBe(3);
    expect(store.load('k2', 't', 'a')?.version).toBe(4);
    expect(store.load('k', 't', 'b')).toBeUndefined();
    expect(store.size()).toBe(4);
    expect(memoryDriver().snapshots.size()).toBe(0);
  });
});

describe('snapshots of stateful receptors', () => {
  it('state from a snapshot and its tail equals a full replay', async () => {
    const values = fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(values, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom(0, 10_000),
        fc.boolean(),
        async (commands, every, stateCacheSize, async) => {
          const base = memoryDriver();
          const { store, saves } = spy(base.snapshots, async);
          const { driver, read } = counted({ ...base, snapshots: store });
          const app = tallyApp(driver, TallyState, { snapshotEvery: every, stateCacheSize });
          for (const batch of commands) {
            await app.send(Add({ id: 'x', values: batch }));
            const events = base.ledger.readStream('tally-x');
            expect(await app.localInvoke(Read({ id: 'x' }))).toEqual(replay(events));
          }
          const events = base.ledger.readStream('tally-x');
          const current = events.length;
          // every save is of the state as of its version
          for (const { snapshot } of saves) {
            expect(snapshot.state).toEqual(replay(events.slice(0, snapshot.version)));
          }
          // a new app (empty cache) starts from the newest snapshot and reads only its tail
          await new Promise((resolve) => setTimeout(resolve, 5)); // async saves land
          read();
          const fresh = tallyApp(driver, TallyState, { snapshotEvery: every });
          expect(await fresh.localInvoke(Read({ id: 'x' }))).toEqual(replay(events));
          const newest = base.snapshots.load('Tally', 'default', 'tally-x');
          if (current >= every) {
            expect(newest!.version).toBeGreaterThanOrEqual(Math.floor(current / every) * every);
            expect(read()).toBe(current - newest!.version);
          } else {
            expect(newest).toBeUndefined();
            expect(read()).toBe(current);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('takes a snapshot when an append crosses a multiple of snapshotEvery, as of its new version', async () => {
    const base = memoryDriver();
    const { store, saves } = spy(base.snapshots);
    const app = tallyApp({ ...base, snapshots: store }, TallyState, { snapshotEvery: 3 });
    for (let i = 1; i <= 10; i++) await app.send(Add({ id: 'one', values: [i] }));
    expect(versions(saves)).toEqual([3, 6, 9]);
    saves.length = 0;
    // two events per append: versions 2, 4, 6, 8; 4 crosses 3, 6 reaches 6, 8 crosses nothing
    for (let i = 1; i <= 4; i++) await app.send(Add({ id: 'two', values: [i, -i] }));
    expect(versions(saves)).toEqual([4, 6]);
    const last = saves[1]!;
    expect(last).toMatchObject({ kind: 'Tally', tenant: 'default', id: 'tally-two' });
    expect(last.snapshot).toMatchObject({ version: 6, schemaVersion: 1 });
    expect(last.snapshot.state).toEqual(replay(base.ledger.readStream('tally-two', { to: 6 })));
    expect(typeof last.snapshot.takenAt).toBe('number');
  });

  it('takes no snapshot of an unnamed state, with snapshotEvery 0, or without a snapshot store', async () => {
    const { name: _, ...unnamed } = TallyState;
    const cases: Array<[StateDefinition<any, any>, number, boolean]> = [
      [unnamed, 2, true],
      [TallyState, 0, true],
      [TallyState, 2, false],
    ];
    for (const [state, every, withStore] of cases) {
      const base = memoryDriver();
      const { store, saves } = spy(base.snapshots);
      const { snapshots: __, ...bare } = base;
      const app = tallyApp(withStore ? { ...base, snapshots: store } : bare, state, {
        snapshotEvery: every,
        stateCacheSize: 0,
      });
      for (let i = 0; i < 6; i++) await app.send(Add({ id: 'a', values: [i] }));
      expect(saves).toEqual([]);
      expect(await app.localInvoke(Read({ id: 'a' }))).toEqual(
        replay(base.ledger.readStream('tally-a')),
      );
    }
  });

  it('ignores a corrupt snapshot and folds the whole stream', async () => {
    const corrupt: Array<[string, unknown]> = [
      [
        'beyond the stream',
        { version: 99, state: { count: 1e6, sum: 0, hash: 0 }, schemaVersion: 1, takenAt: 0 },
      ],
      ['without state', { version: 4, state: undefined, schemaVersion: 1, takenAt: 0 }],
      [
        'at version 0',
        { version: 0, state: { count: 0, sum: 0, hash: 0 }, schemaVersion: 1, takenAt: 0 },
      ],
      [
        'at version 2.5',
        { version: 2.5, state: { count: 0, sum: 0, hash: 0 }, schemaVersion: 1, takenAt: 0 },
      ],
      ['not an object', 'garbage'],
      ['whose state evolve cannot take', { version: 2, state: null, schemaVersion: 1, takenAt: 0 }],
    ];
    for (const [what, snapshot] of corrupt) {
      const base = memoryDriver();
      const { driver, read } = counted(base);
      const writer = tallyApp(driver, TallyState);
      for (let i = 1; i <= 5; i++) await writer.send(Add({ id: 'c', values: [i * 10] }));
      base.snapshots.save('Tally', 'default', 'tally-c', snapshot as Snapshot);
      read();
      const app = tallyApp(driver, TallyState, { snapshotEvery: 2 });
      const state = await app.localInvoke(Read({ id: 'c' }));
      // (the case's name rides along, so that a failure says which one)
      expect({ what, state }).toEqual({ what, state: replay(base.ledger.readStream('tally-c')) });
      expect({ what, read: read() >= 5 }).toEqual({ what, read: true });
      // the full fold crossed multiples of 2: a good snapshot replaced the bad one
      expect({ what, saved: base.snapshots.load('Tally', 'default', 'tally-c') }).toMatchObject({
        what,
        saved: { version: 5, state },
      });
    }
  });

  it('uses an older snapshot with its tail', async () => {
    const base = memoryDriver();
    const { driver, read } = counted(base);
    const writer = tallyApp(driver, TallyState);
    for (let i = 1; i <= 9; i++) await writer.send(Add({ id: 'o', values: [i] }));
    const events = base.ledger.readStream('tally-o');
    base.snapshots.save('Tally', 'default', 'tally-o', {
      version: 4,
      state: replay(events.slice(0, 4)),
      schemaVersion: 1,
      takenAt: 0,
    });
    read();
    const app = tallyApp(driver, TallyState, { snapshotEvery: 3 });
    expect(await app.localInvoke(Read({ id: 'o' }))).toEqual(replay(events));
    expect(read()).toBe(5);
  });

  it('ignores snapshots taken by another version of the state', async () => {
    const base = memoryDriver();
    const { driver, read } = counted(base);
    const v1 = tallyApp(driver, TallyState, { snapshotEvery: 2 });
    for (let i = 1; i <= 7; i++) await v1.send(Add({ id: 'v', values: [i] }));
    expect(base.snapshots.load('Tally', 'default', 'tally-v')).toMatchObject({
      version: 6,
      schemaVersion: 1,
    });
    // version 2 of the state has another shape: a version 1 snapshot would lack `values`
    const TallyV2 = defineState<{ values: number[] }, ReturnType<typeof Added>>({
      name: 'Tally',
      version: 2,
      initial: () => ({ values: [] }),
      evolve: (s, e) => ({ values: [...s.values, e.data.value] }),
    });
    read();
    const v2 = tallyApp(driver, TallyV2, { snapshotEvery: 2 });
    expect(await v2.localInvoke(Read({ id: 'v' }))).toEqual({ values: [1, 2, 3, 4, 5, 6, 7] });
    expect(read()).toBe(7);
    expect(base.snapshots.load('Tally', 'default', 'tally-v')).toMatchObject({
      version: 7,
      schemaVersion: 2,
      state: { values: [1, 2, 3, 4, 5, 6, 7] },
    });
    // and the old definition, meeting the new snapshot, ignores it too
    read();
    const again = tallyApp(driver, TallyState, { snapshotEvery: 2 });
    expect(await again.localInvoke(Read({ id: 'v' }))).toEqual(
      replay(base.ledger.readStream('tally-v')),
    );
    expect(read()).toBe(7);
  });

  it('keeps tenants apart', async () => {
    const base = memoryDriver();
    const { driver, read } = counted(base);
    const writer = tallyApp(driver, TallyState, { snapshotEvery: 2 });
    for (let i = 1; i <= 5; i++) {
      await writer.send(Add({ id: 't', values: [i] }), { tenant: 'acme' });
      await writer.send(Add({ id: 't', values: [100 * i, 1] }), { tenant: 'globex' });
    }
    await writer.send(Add({ id: 't', values: [5] }), { tenant: 'initech' });
    const snap = (tenant: string) => base.snapshots.load('Tally', tenant, 'tally-t');
    expect(snap('acme')).toMatchObject({ version: 4 });
    expect(snap('globex')).toMatchObject({ version: 10 });
    expect(snap('initech')).toBeUndefined();
    expect(snap('default')).toBeUndefined();
    for (const tenant of ['acme', 'globex', 'initech']) {
      const events = base.ledger.readStream('tally-t', { tenant });
      const fresh = tallyApp(driver, TallyState, { snapshotEvery: 2 });
      read();
      const state = await fresh.localInvoke(Read({ id: 't' }), { tenant });
      expect({ tenant, state, read: read() }).toEqual({
        tenant,
        state: replay(events),
        read: events.length - (snap(tenant)?.version ?? 0),
      });
    }
  });

  it('never fails a command because a snapshot could not be saved or loaded', async () => {
    const base = memoryDriver();
    const broken: SnapshotStore = {
      load: () => {
        throw new Error('disk gone');
      },
      save: () => Promise.reject(new Error('disk full')),
    };
    const app = tallyApp({ ...base, snapshots: broken }, TallyState, {
      snapshotEvery: 1,
      stateCacheSize: 0,
    });
    for (let i = 1; i <= 4; i++) await app.send(Add({ id: 'b', values: [i] }));
    expect(await app.localInvoke(Read({ id: 'b' }))).toEqual(
      replay(base.ledger.readStream('tally-b')),
    );
  });
});

describe('StateCache reports snapshot issues', () => {
  const setup = (store: SnapshotStore) => {
    const issues: SnapshotIssue[] = [];
    const driver = memoryDriver();
    const cache = new StateCache(0, {
      store,
      every: 2,
      onSnapshotError: (issue) => {
        issues.push(issue);
        throw new Error('a hook that throws changes nothing');
      },
    });
    for (let i = 1; i <= 5; i++) {
      driver.ledger.append('s', [{ type: 'Added', data: { value: i } }], { tenant: 'acme' });
    }
    const expected = replay(driver.ledger.readStream('s', { tenant: 'acme' }));
    const load = () => cache.load(driver.ledger, TallyState as StateDefinition, 'acme', 's');
    return { issues, cache, load, expected };
  };

  it('reports a corrupt snapshot, a failed load and a failed save', async () => {
    const memory = memorySnapshots();
    memory.save('Tally', 'acme', 's', { version: 50, state: {}, schemaVersion: 1, takenAt: 0 });
    const a = setup(memory);
    expect(await a.load()).toEqual({ version: 5, state: a.expected });
    expect(a.issues).toHaveLength(1);
    expect(a.issues[0]).toMatchObject({
      action: 'load',
      kind: 'Tally',
      tenant: 'acme',
      streamId: 's',
    });
    expect(a.issues[0]!.message).toMatch(/beyond the stream's version 5/);

    const failing: SnapshotStore = {
      load: () => Promise.reject(new Error('timeout')),
      save: () => {
        throw new Error('read-only');
      },
    };
    const b = setup(failing);
    expect(await b.load()).toEqual({ version: 5, state: b.expected });
    expect(b.issues.map((i) => [i.action, (i.cause as Error).message])).toEqual([
      ['load', 'timeout'],
      ['save', 'read-only'],
    ]);
    expect(b.issues[1]!.message).toMatch(/could not be saved/);

    const quiet = memorySnapshots();
    quiet.save('Tally', 'acme', 's', { version: 4, state: {}, schemaVersion: 9, takenAt: 0 });
    const c = setup(quiet);
    expect(await c.load()).toEqual({ version: 5, state: c.expected });
    expect(c.issues).toEqual([]); // another schema version is expected, not an error
    await c.cache.flush();
  });
});
