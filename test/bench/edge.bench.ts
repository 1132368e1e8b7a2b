/**
 * Benchmarks of the Cloudflare drivers inside workerd (miniflare, local): an append of one event
 * through the D1 and the Durable Object drivers against the raw binding writing the same rows in
 * the same object, and a stream read through the Durable Object driver against raw `sql.exec` +
 * `JSON.parse`. Timed from outside, one request per round of `ops` operations (the request's own
 * cost is in both sides). Local D1 is SQLite in workerd, not the network round trips of the real one.
 */
import { Miniflare } from 'miniflare';
import { bundleWorker } from '../edge/bundle.ts';
import type { BenchEntry, BenchSpec } from './harness.ts';

let shared: Promise<Miniflare> | undefined;
let users = 0;

/** The bench Worker, started once for the edge benchmarks of this run. */
async function worker(): Promise<Miniflare> {
  users++;
  shared ??= (async () => {
    const root = `${process.cwd()}/`;
    const script = await bundleWorker(`${root}test/bench/edge.worker.ts`);
    const mf = new Miniflare({
      modules: [{ type: 'ESModule', path: 'bench.mjs', contents: script }],
      compatibilityDate: '2025-10-01',
      durableObjects: { BENCH: { className: 'Bench', useSQLite: true } },
      d1Databases: ['DB'],
    });
    await mf.ready;
    return mf;
  })();
  return shared;
}

async function release(): Promise<void> {
  if (--users > 0 || shared === undefined) return;
  const mf = await shared;
  shared = undefined;
  await mf.dispose();
}

/** A side that runs `ops` operations of `side` in the Worker, in one request. */
const remote = (mf: Miniflare, side: string) => async (ops: number) => {
  const response = await mf.dispatchFetch(`http://bench.test/${side}?ops=${ops}`);
  if (!response.ok) throw new Error(`${side}: ${response.status} ${await response.text()}`);
  const { done } = (await response.json()) as { done: number };
  return done;
};

function pair(name: string, unit: string, what: string, ops: number, goal: number): BenchEntry {
  return {
    name,
    make: async (): Promise<BenchSpec> => {
      const mf = await worker();
      if (what === 'do.read') await remote(mf, 'do.read.setup')(1);
      return {
        name,
        unit,
        ops,
        goal,
        runtime: 'workerd',
        subject: { name: `whizbang ${what}`, run: remote(mf, `${what}.driver`) },
        baseline: { name: `raw binding ${what}`, run: remote(mf, `${what}.raw`) },
        dispose: release,
      };
    },
  };
}

export const benches: BenchEntry[] = [
  pair('edge.d1.append.1', 'events/s', 'd1.append', 200, 0.7),
  pair('edge.do.append.1', 'events/s', 'do.append', 1000, 0.7),
  pair('edge.do.readStream', 'reads/s', 'do.read', 200, 0.9),
];
