/**
 * Several app instances on one storage: the scenarios every driver with leases runs. `open()`
 * makes a new handle on the same storage each call (a connection, a file handle, a client), as
 * another process would.
 */
import { expect } from 'vitest';
import {
  type Driver,
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  payload,
  type Whizbang,
  whizbang,
} from '../../js/mod.ts';

const Add = defineCommand('Add', payload<{ stream: string; n: number }>());
const Added = defineEvent('Added', payload<{ n: number }>());
const add = defineReceptor({
  command: Add,
  stream: (c) => c.data.stream,
  handle: (c) => Added({ n: c.data.n }),
});
/** Every event once: `events` counts them, `total` sums them. */
export const tally = definePerspective({
  name: 'tally',
  mode: 'async',
  events: [Added],
  key: () => 'all',
  initial: () => ({ events: 0, total: 0 }),
  apply: (m, e) => ({ events: m.events + 1, total: m.total + e.data.n }),
});
/** One model per stream. */
export const perStream = definePerspective({
  name: 'per-stream',
  mode: 'async',
  events: [Added],
  initial: () => ({ events: 0 }),
  apply: (m) => ({ events: m.events + 1 }),
});

type App = Whizbang<ReturnType<typeof Add>>;

/** How long leases live in these scenarios, ms. */
export const TTL_MS = 1_500;

/** An instance of the tally app on a new handle of the storage. */
export async function instance(
  open: () => Driver | Promise<Driver>,
  name?: string,
  coordinate = true,
): Promise<App> {
  return whizbang('tally')
    .receptor(add)
    .perspective(tally)
    .perspective(perStream)
    .build({
      driver: await open(),
      ...(coordinate
        ? { coordinate: { ttlMs: TTL_MS, heartbeatMs: 100, ...(name ? { instance: name } : {}) } }
        : {}),
    }) as unknown as App;
}

/** Sends `count` commands spread over the apps and streams; returns the sum of their `n`. */
export async function sendSpread(apps: readonly App[], count: number, from = 0): Promise<number> {
  let sum = 0;
  await Promise.all(
    apps.map(async (app, a) => {
      for (let i = from + a; i < from + count; i += apps.length) {
        await app.send(Add({ stream: `s-${i % 7}`, n: i + 1 }));
        sum += i + 1;
      }
    }),
  );
  return sum;
}

/** The tally and per-stream models show every event applied exactly once. */
export async function expectOnce(app: App, events: number, total: number): Promise<void> {
  await app.waitForPerspectives(undefined, 20_000);
  expect(await app.lens(tally).get('all')).toEqual({ events, total });
  const streams = await app.lens(perStream).query();
  expect(streams.reduce((n, m) => n + m.events, 0)).toBe(events);
}

/**
 * Two instances that do not coordinate both run every async perspective on one storage: the
 * checkpoint held in each batch's transaction still lets each event in once.
 */
export async function uncoordinatedStillOnce(open: () => Driver | Promise<Driver>): Promise<void> {
  const a = await instance(open, undefined, false);
  const b = await instance(open, undefined, false);
  try {
    const total = await sendSpread([a, b], 120);
    await expectOnce(a, 120, total);
    await expectOnce(b, 120, total);
  } finally {
    await a.close();
    await b.close();
  }
}

/**
 * Two coordinated instances share the two perspectives one each; when one closes, the other takes
 * both over from the checkpoints; every event applied once.
 */
export async function coordinatedShareAndHandOver(
  open: () => Driver | Promise<Driver>,
): Promise<void> {
  const a = await instance(open, 'instance-a');
  const b = await instance(open, 'instance-b');
  try {
    for (let i = 0; i < 3; i++) {
      await a.coordination!.beat();
      await b.coordination!.beat();
    }
    const held = [...a.coordination!.held, ...b.coordination!.held].sort();
    expect(held).toEqual(['perspective:per-stream', 'perspective:tally']);
    expect(a.coordination!.held).toHaveLength(1);
    expect(b.coordination!.held).toHaveLength(1);
    const first = await sendSpread([a, b], 60);
    await expectOnce(b, 60, first);
    await a.close();
    await b.coordination!.beat();
    expect([...b.coordination!.held].sort()).toEqual([
      'perspective:per-stream',
      'perspective:tally',
    ]);
    const more = await sendSpread([b], 40, 60);
    await expectOnce(b, 100, first + more);
  } finally {
    await a.close();
    await b.close();
  }
}

/**
 * An owner that stops heartbeating (a process killed) keeps its work until its lease expires;
 * then another instance takes it over and resumes from the checkpoint.
 */
export async function takeoverAfterSilence(
  open: () => Driver | Promise<Driver>,
  ghost: (name: string, ttlMs: number) => Promise<void>,
): Promise<void> {
  await ghost('perspective:tally', TTL_MS);
  await ghost('perspective:per-stream', TTL_MS);
  const b = await instance(open, 'survivor');
  try {
    await b.coordination!.beat();
    expect(b.coordination!.held).toEqual([]);
    const total = await sendSpread([b], 30);
    await new Promise((resolve) => setTimeout(resolve, TTL_MS + 100));
    await b.coordination!.beat();
    expect([...b.coordination!.held].sort()).toEqual([
      'perspective:per-stream',
      'perspective:tally',
    ]);
    await expectOnce(b, 30, total);
  } finally {
    await b.close();
  }
}
