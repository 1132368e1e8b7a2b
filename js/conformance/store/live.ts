/**
 * Live lenses on a driver: the first answer, then one per change set that alters it — from a
 * commit, an async perspective catching up, a rebuild, another app on the same store — and
 * nothing after the unsubscribe or the app's close.
 */
import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { caught, type DriverBox, eventually, sleep } from '../helpers.ts';
import {
  type Driver,
  defineEvent,
  definePerspective,
  payload,
  type Whizbang,
  whizbang,
} from '../whizbang.ts';

interface Task {
  readonly id: string;
  readonly list: string;
  readonly title: string;
  readonly points: number;
}

const Added = defineEvent('LiveTaskAdded', payload<Task>());
const Renamed = defineEvent(
  'LiveTaskRenamed',
  payload<{ id: string; list: string; title: string }>(),
);

/** Points are scaled by this at apply time: changing it and rebuilding changes every model. */
let scale = 1;

const tasks = definePerspective({
  name: 'live_tasks',
  events: [Added, Renamed],
  key: (e) => e.data.id,
  initial: (): Task => ({ id: '', list: '', title: '', points: 0 }),
  apply: (m, e) =>
    e.type === 'LiveTaskAdded'
      ? { ...e.data, points: e.data.points * scale }
      : { ...m, title: e.data.title },
});

const counts = definePerspective({
  name: 'live_counts',
  mode: 'async',
  events: [Added],
  key: (e) => e.data.list,
  initial: () => ({ count: 0 }),
  apply: (m) => ({ count: m.count + 1 }),
});

/** The driver without its `close`: the test closes the driver, apps only let go of it. */
function shared(driver: Driver): Driver {
  const { name, ledger, store, snapshots } = driver;
  return snapshots === undefined ? { name, ledger, store } : { name, ledger, store, snapshots };
}

function app(driver: Driver): Whizbang {
  return whizbang('live')
    .perspective(tasks)
    .perspective(counts)
    .build({ driver: shared(driver) });
}

function task(list: string, points = faker.number.int({ min: 1, max: 9 })): Task {
  return { id: faker.string.uuid(), list, title: faker.lorem.words(3), points };
}

const add = (a: Whizbang, t: Task) => a.publish(Added(t), { stream: `task-${t.id}` });

/** A listener that keeps what it heard. */
function heard<T>(): { readonly calls: T[]; (value: T): void } {
  const calls: T[] = [];
  return Object.assign((value: T) => void calls.push(value), { calls });
}

/** Registers the live lens tests. */
export function liveSuite(driver: DriverBox): void {
  describe('live lenses', () => {
    it('watch answers first, then after each commit that changes the model, until unsubscribed', async () => {
      const a = app(driver.current);
      const t = task('inbox');
      const seen = heard<Task | undefined>();
      const stop = a.lens(tasks).watch(t.id, seen);
      await eventually(() => seen.calls.length === 1);
      expect(seen.calls[0]).toBeUndefined();
      await add(a, t);
      await eventually(() => seen.calls.length === 2);
      expect(seen.calls[1]).toEqual(t);
      await add(a, task('inbox')); // another model: no call
      await a.publish(Renamed({ id: t.id, list: 'inbox', title: 'renamed' }), {
        stream: `task-${t.id}`,
      });
      await eventually(() => seen.calls.length === 3);
      expect(seen.calls[2]?.title).toBe('renamed');
      stop();
      await a.publish(Renamed({ id: t.id, list: 'inbox', title: 'after' }), {
        stream: `task-${t.id}`,
      });
      await sleep(20);
      expect(seen.calls).toHaveLength(3);
      await a.close();
    });

    it('live answers a query, re-answers once per change set, and skips an equal answer', async () => {
      const a = app(driver.current);
      const first = task('work', 5);
      await add(a, first);
      const seen = heard<Task[]>();
      const stop = a
        .lens(tasks)
        .live({ where: { list: 'work' }, orderBy: { points: 'asc' } }, seen);
      await eventually(() => seen.calls.length === 1);
      expect(seen.calls[0]).toEqual([first]);
      // three events in one transaction: one answer with all three applied
      const [x, y] = [task('work', 1), task('work', 9)];
      await a.publishMany([Added(x), Renamed({ id: x.id, list: 'work', title: 'x2' })], {
        stream: `task-${x.id}`,
      });
      await eventually(() => seen.calls.length === 2);
      expect(seen.calls[1]).toEqual([{ ...x, title: 'x2' }, first]);
      await add(a, task('home')); // not in the query
      await a.publish(Renamed({ id: first.id, list: 'work', title: first.title }), {
        stream: `task-${first.id}`,
      }); // same answer
      await add(a, y);
      await eventually(() => seen.calls.length === 3);
      expect(seen.calls[2]?.map((m) => m.id)).toEqual([x.id, first.id, y.id]);
      await sleep(20);
      expect(seen.calls).toHaveLength(3);
      stop();
      await a.close();
    });

    it('hears an async perspective catch up and a rebuild', async () => {
      const a = app(driver.current);
      const seen = heard<{ count: number } | undefined>();
      a.lens(counts).watch('board', seen);
      await add(a, task('board'));
      await add(a, task('board'));
      await eventually(() => seen.calls.at(-1)?.count === 2);
      const t = task('rebuilt', 2);
      await add(a, t);
      const points = heard<Task[]>();
      a.lens(tasks).live({ where: { list: 'rebuilt' } }, points);
      await eventually(() => points.calls.length === 1);
      scale = 10;
      try {
        await a.rebuild(tasks);
      } finally {
        scale = 1;
      }
      await eventually(() => points.calls.length === 2);
      expect(points.calls[1]).toEqual([{ ...t, points: 20 }]);
      await a.close();
    });

    it('hears another app on the same store, and stops everything at close', async () => {
      const reader = app(driver.current);
      const writer = app(driver.current);
      const t = task('shared');
      const seen = heard<Task[]>();
      const errors: unknown[] = [];
      reader
        .lens(tasks)
        .live({ where: { list: 'shared' } }, seen, { onError: (e) => errors.push(e) });
      await eventually(() => seen.calls.length === 1);
      await add(writer, t);
      await eventually(() => seen.calls.length === 2);
      expect(seen.calls[1]).toEqual([t]);
      await reader.close();
      await add(writer, task('shared'));
      await sleep(20);
      expect(seen.calls).toHaveLength(2);
      expect(errors).toEqual([]);
      const closed = await caught(() => reader.lens(tasks).watch(t.id, () => undefined));
      expect((closed as { code?: string }).code).toBe('CLOSED');
      await writer.close();
    });
  });
}
