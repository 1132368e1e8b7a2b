/**
 * The sync chaos run (see `chaos/run.ts`), seeded: three SQLite replica processes syncing in the
 * background through the real JetStream log of a nats-server of the test's own, with local
 * commands during rounds, replicas cut off and back, killed (SIGKILL) at chosen points and
 * restarted, and the server restarted once. Checks: every replica's ledger equals the log, no
 * event doubled or gapped, every accepted command in the log (as decided or re-decided) or a
 * reported conflict, the overdraft limit holds in the log, perspectives equal a fresh fold, and
 * sync goes quiet. `npm test` runs two short seeds; `npm run test:chaos [-- seeds steps]` the long
 * run, where every even seed's third replica is a Chromium tab on IndexedDB (the log over WebSocket).
 */
import { describe, expect, it } from 'vitest';
import { chromiumReachable, loadBrowser } from '../support/browser.ts';
import { natsServerAvailable } from '../support/nats-server.ts';
import { runChaos } from './chaos/run.ts';

const up = await natsServerAvailable('sync chaos run');
const long = process.env.CHAOS_LONG === '1';
const browser = await loadBrowser();
const chromium = long && (await chromiumReachable(browser, 'the chaos run’s IndexedDB replica'));
const seeds: number[] = long
  ? (process.env.CHAOS_SEEDS ?? '20').includes(',')
    ? process.env.CHAOS_SEEDS!.split(',').map(Number)
    : Array.from({ length: Number(process.env.CHAOS_SEEDS ?? 20) }, (_, i) => i + 1)
  : [1, 2];
const steps = Number(process.env.CHAOS_STEPS ?? (long ? 300 : 60));

describe.skipIf(!up)('offline sync under chaos (SQLite replicas, JetStream log)', () => {
  for (const seed of seeds) {
    const tab = chromium && seed % 2 === 0;
    it(`seed ${seed}: ${steps} steps${tab ? ', a Chromium replica' : ''} — replicas equal the log, nothing lost, doubled or overdrawn, quiet at the end`, async () => {
      const result = await runChaos({ seed, steps, browser: tab });
      expect(result.failures, JSON.stringify(result.stats)).toEqual([]);
      expect(result.stats.accepted).toBeGreaterThan(0);
      expect(result.stats.serverRestarts).toBe(1);
    }, 300_000);
  }
});
