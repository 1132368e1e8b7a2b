/**
 * Benchmarks of the IndexedDB driver in headless Chromium, against raw `idb` putting the same
 * records in the same transaction sizes (and reading the same index range). Node launches the
 * browser and serves the page (test/bench/indexeddb.page.ts); each round is timed in the page.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchEntry, BenchSpec, Side, Timed } from './harness.ts';
import type { BenchName } from './indexeddb.page.ts';

interface Page {
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}

/** The browser harness of test/browser/, loaded from the repository (this file is bundled). */
async function harness(): Promise<{
  bundle(entry: string): Promise<string>;
  serve(script: string): Promise<{ url: string; close(): Promise<void> }>;
  launch(): Promise<{
    context: {
      newPage(): Promise<
        Page & {
          goto(url: string): Promise<unknown>;
          waitForFunction(fn: () => boolean): Promise<unknown>;
        }
      >;
    };
    close(): Promise<void>;
  }>;
  hasChromium(): boolean;
  INSTALL: string;
  CHROMIUM: string;
}> {
  return import(pathToFileURL(join(process.cwd(), 'test', 'browser', 'chromium.mjs')).href);
}

async function chromiumBench(
  bench: BenchName,
  spec: Omit<BenchSpec, 'subject' | 'baseline' | 'runtime' | 'dispose'> & {
    readonly subjectName: string;
    readonly baselineName: string;
  },
): Promise<BenchSpec> {
  const h = await harness();
  if (!h.hasChromium()) {
    throw new Error(`The IndexedDB benchmarks need Chromium at ${h.CHROMIUM}: ${h.INSTALL}`);
  }
  const site = await h.serve(await h.bundle('test/bench/indexeddb.page.ts'));
  const browser = await h.launch();
  const page = await browser.context.newPage();
  await page.goto(site.url);
  await page.waitForFunction(() => globalThis.whizbangBench?.ready === true);
  const side = (which: 'subject' | 'baseline', name: string): Side => ({
    name,
    setup: () =>
      page.evaluate(([b, s]) => globalThis.whizbangBench.setup(b, s), [bench, which] as const),
    run: (ops: number): Promise<Timed> =>
      page.evaluate(([b, s, n]) => globalThis.whizbangBench.run(b, s, n), [
        bench,
        which,
        ops,
      ] as const),
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
    },
  };
}

export const benches: BenchEntry[] = [
  {
    name: 'idb.append.1',
    make: () =>
      chromiumBench('append.1', {
        name: 'idb.append.1',
        unit: 'events/s',
        subjectName: 'ledger.append, 1 event',
        baselineName: 'raw idb put, 1 record/txn',
        goal: 0.8,
        ops: 100,
        rounds: 31,
      }),
  },
  {
    name: 'idb.append.batch100',
    make: () =>
      chromiumBench('append.batch100', {
        name: 'idb.append.batch100',
        unit: 'events/s',
        subjectName: 'ledger.append, 100 events',
        baselineName: 'raw idb put, 100 records/txn',
        goal: 0.8,
        ops: 1_000,
        rounds: 21,
      }),
  },
  {
    name: 'idb.readStream',
    make: () =>
      chromiumBench('readStream', {
        name: 'idb.readStream',
        unit: 'events/s',
        subjectName: 'ledger.readStream, 100 events',
        baselineName: 'raw idb getAll on the stream index',
        goal: 0.9,
        ops: 2_000,
        rounds: 41,
      }),
  },
  {
    name: 'lens.query.indexed@chromium',
    make: () =>
      chromiumBench('lens.query', {
        name: 'lens.query.indexed',
        unit: 'queries/min',
        subjectName:
          'IndexedDB, 100 000 models: status = one of 100 (1%), orderBy dueAt, limit 50, status declared (key range of the fields index)',
        baselineName:
          'the same query on a driver that declared no field: every model of the tenant read (getAll), filtered and sorted in JavaScript',
        goal: 10,
        ops: 4,
        rounds: 5,
      }),
  },
];
