/**
 * `coordinator.takeover`: how long an async perspective stays unapplied when the instance that
 * ran it dies, until another instance has taken its lease over and applied the next event. The
 * owner dies right after a heartbeat (the worst case: its lease has a whole time to live left);
 * two connections on one SQLite file, ttlMs 1 000, heartbeatMs 250. Figures only (ms), no goal:
 * the bound is ttlMs + heartbeatMs plus one batch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { definePerspective, type Whizbang, whizbang } from '../../js/mod.ts';
import { Deposit, Deposited, deposit } from './bank.ts';
import type { BenchEntry } from './harness.ts';

const TTL_MS = 1_000;
const HEARTBEAT_MS = 250;

const seen = definePerspective({
  name: 'seen',
  mode: 'async',
  events: [Deposited],
  key: () => 'all',
  initial: () => ({ count: 0 }),
  apply: (m: { count: number }) => ({ count: m.count + 1 }),
});

export const benches: BenchEntry[] = [
  {
    name: 'coordinator.takeover',
    make: () => {
      const dir = mkdtempSync(join(tmpdir(), 'bench-takeover-'));
      let n = 0;
      return {
        name: 'coordinator.takeover',
        unit: 'ms',
        ops: 1,
        rounds: 5,
        subject: {
          name: `owner dead right after a heartbeat -> next event applied elsewhere (SQLite, ttl ${TTL_MS} ms, heartbeat ${HEARTBEAT_MS} ms)`,
          run: async () => {
            const path = join(dir, `takeover-${++n}.sqlite`);
            const dead = sqliteDriver({ path });
            const survivor: Whizbang<any, any> = whizbang('bench')
              .receptor(deposit)
              .perspective(seen)
              .build({
                driver: sqliteDriver({ path }),
                coordinate: { instance: 'survivor', ttlMs: TTL_MS, heartbeatMs: HEARTBEAT_MS },
              });
            // the dead owner's last heartbeat; then it is gone
            await dead.leases.acquire('perspective:seen', 'dead', TTL_MS);
            const at = performance.now();
            await survivor.send(Deposit({ accountId: 'acc-0', amount: 1 }));
            await survivor.waitForPerspectives(undefined, 10 * TTL_MS);
            const ms = performance.now() - at;
            await survivor.close();
            dead.close();
            return { done: ms, seconds: 1 };
          },
        },
        dispose: () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
];
