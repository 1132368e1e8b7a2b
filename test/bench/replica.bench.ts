/**
 * The browser replica benchmarks (`wasm.replica.*@chromium`): the IndexedDB segment store against
 * today's per-record IndexedDB driver, over one replica of `REPLICA_EVENTS` events (default
 * 100 000: what fits a bench's minute on the shared 2-core machine with both sides filled; see
 * BENCHMARKS.md). Node launches Chromium and serves test/bench/replica.page.ts; each figure is
 * timed (or measured) in the page.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchEntry, BenchSpec, Side, Timed } from './harness.ts';

const EVENTS = Number(process.env.REPLICA_EVENTS ?? 100_000);

interface Page {
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  goto(url: string): Promise<unknown>;
  waitForFunction(fn: () => boolean): Promise<unknown>;
  close(): Promise<void>;
}

async function harness(): Promise<{
  bundle(entry: string): Promise<string>;
  serve(script: string): Promise<{ url: string; close(): Promise<void> }>;
  launch(): Promise<{ context: { newPage(): Promise<Page> }; close(): Promise<void> }>;
  hasChromium(): boolean;
  INSTALL: string;
  CHROMIUM: string;
}> {
  return import(pathToFileURL(join(process.cwd(), 'test', 'browser', 'chromium.mjs')).href);
}

type Kind = 'rebuild' | 'typed' | 'clustered' | 'bytes' | 'open';
type Which = 'subject' | 'baseline';

async function replicaBench(
  kind: Kind,
  spec: Omit<BenchSpec, 'subject' | 'baseline' | 'runtime' | 'dispose'> & {
    readonly subjectName: string;
    readonly baselineName: string;
  },
): Promise<BenchSpec> {
  const h = await harness();
  if (!h.hasChromium())
    throw new Error(`The replica benchmarks need Chromium at ${h.CHROMIUM}: ${h.INSTALL}`);
  const script = await h.bundle('test/bench/replica.page.ts');
  const site = await h.serve(script);
  // the bytes bench measures each side on an origin of its own: the estimate is per origin
  const others = kind === 'bytes' ? [await h.serve(script), await h.serve(script)] : [];
  const browser = await h.launch();
  const fresh = async (url = site.url): Promise<Page> => {
    const page = await browser.context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => globalThis.whizbangReplica?.ready === true);
    return page;
  };
  const page = await fresh();
  const names = new Map<Which, string>();
  const bytes = new Map<Which, { bytes: number; events: number }>();
  let stream = 0;
  /** The bytes bench: the baseline filled on one origin; the subject sealed on a second, copied to a third. */
  const measureBytes = async (which: Which): Promise<void> => {
    if (which === 'baseline') {
      const filled = await page.evaluate(([s, n]) => globalThis.whizbangReplica.setup(s, n), [
        which,
        EVENTS,
      ] as const);
      bytes.set(which, { bytes: filled.bytes, events: filled.n });
    } else {
      const [b, c] = [await fresh(others[0]!.url), await fresh(others[1]!.url)];
      const dump = await b.evaluate((n) => globalThis.whizbangReplica.sealedDump(n), EVENTS);
      bytes.set(which, await c.evaluate((d) => globalThis.whizbangReplica.sealedBytes(d), dump));
      await Promise.all([b.close(), c.close()]);
    }
    const got = bytes.get(which)!;
    console.error(
      `  ${spec.name} ${which}: ${got.events} events, ${(got.bytes / got.events).toFixed(1)} bytes/event (storage estimate delta)`,
    );
  };
  const side = (which: Which, name: string): Side => ({
    name,
    async setup() {
      if (kind === 'bytes') {
        if (!bytes.has(which)) await measureBytes(which);
        return;
      }
      if (names.has(which)) return;
      const filled = await page.evaluate(([s, n]) => globalThis.whizbangReplica.setup(s, n), [
        which,
        EVENTS,
      ] as const);
      names.set(which, filled.name);
      console.error(
        `  ${spec.name} ${which}: ${filled.n} events filled in ${filled.fillSeconds.toFixed(1)} s` +
          (which === 'subject' ? `, sealed in ${filled.sealSeconds.toFixed(1)} s` : '') +
          `, ${(filled.bytes / filled.n).toFixed(1)} bytes/event (storage estimate)`,
      );
    },
    async run(ops: number): Promise<Timed> {
      if (kind === 'rebuild')
        return page.evaluate(([s, n]) => globalThis.whizbangReplica.rebuild(s, n), [
          which,
          ops,
        ] as const);
      if (kind === 'typed')
        return page.evaluate(([s, n]) => globalThis.whizbangReplica.rebuildTyped(s, n), [
          which,
          ops,
        ] as const);
      if (kind === 'clustered')
        return page.evaluate(([s, n]) => globalThis.whizbangReplica.rebuildTyped(s, n, 'Closed'), [
          which,
          ops,
        ] as const);
      if (kind === 'bytes') {
        const got = bytes.get(which)!;
        return { done: got.events, seconds: got.bytes / 1e6 }; // events per MB
      }
      // a fresh page: nothing of the driver, the core or the replica in memory
      const cold = await fresh();
      try {
        stream = (stream * 7919 + 13) % Math.floor(EVENTS / 100);
        const { ms, openMs } = await cold.evaluate(
          ([s, n, k]) => globalThis.whizbangReplica.openAndRead(s, n, k),
          [which, names.get(which)!, stream] as const,
        );
        console.error(
          `  ${spec.name} ${which}: cold open + read 100 events ${ms.toFixed(1)} ms (open ${openMs.toFixed(1)} ms)`,
        );
        return { done: 1, seconds: ms / 1000 };
      } finally {
        await cold.close();
      }
    },
  });
  const { subjectName, baselineName, ...rest } = spec;
  return {
    ...rest,
    runtime: 'chromium',
    subject: side('subject', subjectName),
    baseline: side('baseline', baselineName),
    async dispose() {
      await browser.close();
      await site.close();
      for (const other of others) await other.close();
    },
  };
}

const size = `${EVENTS.toLocaleString('en')}-event replica`;

export const benches: BenchEntry[] = [
  {
    name: 'wasm.replica.rebuild@chromium',
    make: () =>
      replicaBench('rebuild', {
        name: 'wasm.replica.rebuild',
        unit: 'events/s',
        subjectName: `IndexedDB segment store, ${size}: every event read (pages of 1000) and folded into two perspectives`,
        baselineName: 'per-record IndexedDB driver, the same replica and folds',
        goal: 5,
        ops: EVENTS,
        rounds: 3,
      }),
  },
  {
    name: 'wasm.replica.rebuild.typed@chromium',
    make: () =>
      replicaBench('typed', {
        name: 'wasm.replica.rebuild.typed',
        unit: 'events/s',
        subjectName: `IndexedDB segment store, ${size}: a perspective of one event type (1 event in 10) rebuilt by readAll({ types }), the core routing each segment`,
        baselineName:
          'per-record IndexedDB driver (its type index), the same replica and perspective',
        goal: 5,
        ops: EVENTS,
        rounds: 7,
      }),
  },
  {
    name: 'wasm.replica.rebuild.clustered@chromium',
    make: () =>
      replicaBench('clustered', {
        name: 'wasm.replica.rebuild.clustered',
        unit: 'events/s',
        subjectName: `IndexedDB segment store, ${size}: a perspective of one event type that comes in bursts (90 events in each 10 000, a few segments) rebuilt by readAll({ types }): the segments without it are not fetched`,
        baselineName:
          'per-record IndexedDB driver (its type index), the same replica and perspective',
        goal: 5,
        ops: EVENTS,
        rounds: 7,
      }),
  },
  {
    name: 'wasm.replica.bytes@chromium',
    make: () =>
      replicaBench('bytes', {
        name: 'wasm.replica.bytes',
        unit: 'events/MB',
        subjectName: `IndexedDB segment store, ${size} sealed (navigator.storage.estimate delta)`,
        baselineName: 'per-record IndexedDB driver, the same events',
        goal: 2,
        ops: EVENTS,
        rounds: 1,
      }),
  },
  {
    name: 'wasm.replica.open@chromium',
    make: () =>
      replicaBench('open', {
        name: 'wasm.replica.open',
        unit: 'opens/s',
        subjectName: `IndexedDB segment store, ${size}: a fresh page opens the driver and reads one 100-event stream`,
        baselineName: 'per-record IndexedDB driver, the same',
        goal: 1,
        ops: 1,
        rounds: 7,
      }),
  },
];
