/**
 * `lens.live.latency.tabs`: a commit in one Chromium tab -> the live lens's listener in another
 * tab of the same profile (IndexedDB, told through the driver's BroadcastChannel). Deposits one
 * at a time, a pause apart (a burst would coalesce into fewer answers); the figures are the
 * percentiles of commit-to-answer times, on the clock both tabs share. Figures only: no baseline.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchEntry } from './harness.ts';

const PAUSE_MS = 20;

interface LiveTabs {
  listen(name: string): Promise<void>;
  open(name: string): Promise<void>;
  write(name: string, count: number, pauseMs: number): Promise<number[]>;
  heard(): Array<{ balance: number; at: number }>;
}
type Page = import('playwright-core').Page;

const percentile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

export const benches: BenchEntry[] = [
  {
    name: 'lens.live.latency.tabs',
    async make() {
      const h = await import(
        pathToFileURL(join(process.cwd(), 'test', 'browser', 'chromium.mjs')).href
      );
      if (!h.hasChromium())
        throw new Error(`This bench needs Chromium at ${h.CHROMIUM}: ${h.INSTALL}`);
      const site = await h.serve(await h.bundle('test/bench/live-tabs.page.ts'));
      const browser = await h.launch();
      const tab = async (): Promise<Page> => {
        const page: Page = await browser.context.newPage();
        await page.goto(site.url);
        await page.waitForFunction(
          () => (globalThis as { liveTabs?: unknown }).liveTabs !== undefined,
        );
        return page;
      };
      const [reader, writer] = [await tab(), await tab()];
      const call = <K extends keyof LiveTabs>(
        page: Page,
        name: K,
        ...args: Parameters<LiveTabs[K]>
      ) =>
        page.evaluate(
          ([n, a]) => ((globalThis as any).liveTabs[n] as (...x: unknown[]) => unknown)(...a),
          [name, args] as const,
        ) as Promise<Awaited<ReturnType<LiveTabs[K]>>>;
      let round = 0;
      let db = '';
      const ms: number[] = [];
      return {
        name: 'lens.live.latency.tabs',
        unit: 'commits/s',
        ops: 40,
        runtime: 'chromium',
        subject: {
          name: `a commit in one tab -> the live lens listener in another, IndexedDB, a commit every ${PAUSE_MS} ms`,
          async setup() {
            db = `bench-live-tabs-${Date.now()}-${round++}`;
            await call(writer, 'open', db);
            await call(reader, 'listen', db);
          },
          async run(n) {
            const commits = await call(writer, 'write', db, n, PAUSE_MS);
            await reader.waitForFunction(
              (want) => (globalThis as any).liveTabs.heard().at(-1)?.balance === want,
              n,
              { timeout: 30_000 },
            );
            // the answer with balance k is the one the k-th deposit caused (a burst may skip one)
            for (const { balance, at } of await call(reader, 'heard')) {
              const commit = commits[balance - 1];
              if (balance > 0 && commit !== undefined) ms.push(at - commit);
            }
            return n;
          },
        },
        finish() {
          const sorted = ms.sort((a, b) => a - b);
          const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
          console.error(
            `lens.live.latency.tabs: commit -> listener in the other tab p50 ${percentile(sorted, 0.5).toFixed(2)} ms, p99 ${percentile(sorted, 0.99).toFixed(2)} ms, mean ${mean.toFixed(2)} ms (${sorted.length} samples)`,
          );
        },
        async dispose() {
          await browser.close();
          await site.close();
        },
      };
    },
  },
];
