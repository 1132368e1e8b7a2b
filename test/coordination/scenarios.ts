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
  memoryTransport,
  payload,
  type ScheduleOptions,
  type Transport,
  type Whizbang,
  whizbang,
} from '../../js/mod.ts';
import { defineSaga, withSaga } from '../../js/saga/mod.ts';

export const Add = defineCommand('Add', payload<{ stream: string; n: number }>());
const Added = defineEvent('Added', payload<{ n: number }>());
const add = defineReceptor({
  command: Add,
  stream: (c) => c.data.stream,
  handle: (c) => Added({ n: c.data.n }),
});
export const Remind = defineEvent('Remind', payload<{ id: string; n: number; afterMs: number }>());
/** A saga whose only step asks for a timeout that adds `n` to the tally. */
const reminder = defineSaga({
  name: 'reminder',
  initial: () => ({}),
  startedBy: Remind,
  correlate: (e) => e.data.id,
  on: {
    Remind: (_s, e) => ({
      timeout: { afterMs: e.data.afterMs, command: Add({ stream: 'reminded', n: e.data.n }) },
    }),
  },
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
  partitions = false,
  schedules?: ScheduleOptions,
): Promise<App> {
  const base = whizbang('tally')
    .receptor(add)
    .perspective(tally)
    .perspective(perStream)
    .route(Added, { to: 'both' });
  // the reminder saga's timeouts only where the scheduler runs
  const builder =
    schedules === undefined ? base : withSaga(base.perspective(reminder.timeouts), reminder);
  return builder.build({
    driver: await open(),
    ...(schedules === undefined ? {} : { schedules }),
    ...(coordinate
      ? {
          coordinate: {
            ttlMs: TTL_MS,
            heartbeatMs: 100,
            ...(name ? { instance: name } : {}),
            ...(partitions ? { partitions: { 'per-stream': 3 } } : {}),
          },
        }
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

/** Runs heartbeats on every app until the work stops moving. */
export async function settle(apps: readonly App[]): Promise<void> {
  for (let i = 0; i < 3; i++) for (const app of apps) await app.coordination!.beat();
}

/**
 * A perspective split into three partitions shares its work between two instances (four pieces of
 * work: two each); when one closes, the other runs every partition; every event applied once, and
 * a rebuild of the split perspective gives the same models.
 */
export async function partitionedShare(open: () => Driver | Promise<Driver>): Promise<void> {
  const a = await instance(open, 'part-a', true, true);
  const b = await instance(open, 'part-b', true, true);
  try {
    await settle([a, b]);
    expect(a.coordination!.held).toHaveLength(2);
    expect(b.coordination!.held).toHaveLength(2);
    expect([...a.coordination!.held, ...b.coordination!.held].sort()).toEqual([
      'perspective:per-stream#1/3',
      'perspective:per-stream#2/3',
      'perspective:per-stream#3/3',
      'perspective:tally',
    ]);
    const first = await sendSpread([a, b], 70);
    await expectOnce(a, 70, first);
    await a.close();
    await settle([b]);
    expect(b.coordination!.held).toHaveLength(4);
    const more = await sendSpread([b], 35, 70);
    await expectOnce(b, 105, first + more);
    await b.rebuild(perStream);
    await expectOnce(b, 105, first + more);
  } finally {
    await a.close();
    await b.close();
  }
}

/**
 * Both instances start a relay; one runs at a time. Every outbox record goes out once while the
 * relay moves from one instance to the other.
 */
export async function oneRelayAtATime(open: () => Driver | Promise<Driver>): Promise<void> {
  const transport: Transport = memoryTransport();
  const seen = new Map<string, number>();
  await transport.subscribe('whizbang.events.Added', (envelope) => {
    seen.set(envelope.messageId, (seen.get(envelope.messageId) ?? 0) + 1);
  });
  const a = await instance(open, 'relay-a');
  const b = await instance(open, 'relay-b');
  try {
    const relays = [a.relay(transport, { pollMs: 20 }), b.relay(transport, { pollMs: 20 })];
    await settle([a, b]);
    const holders = [a, b].filter((app) => app.coordination!.held.includes('relay'));
    expect(holders).toHaveLength(1);
    await sendSpread([a, b], 40);
    await eventually(() => seen.size === 40);
    await holders[0]!.close();
    const other = holders[0] === a ? b : a;
    await settle([other]);
    expect(other.coordination!.held).toContain('relay');
    await sendSpread([other], 20, 40);
    await eventually(() => seen.size === 60);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // a record is counted once the outbox let it go, just after the transport had it
    await eventually(() => relays[0]!.delivered + relays[1]!.delivered === 60);
    for (const relay of relays) await relay.stop();
  } finally {
    await a.close();
    await b.close();
  }
}

async function eventually(check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
