/**
 * Offline sync of protected fields, on the local NATS server (`NATS_URL`):
 * - `sync.pull.protected`: 10 000 events (2 000 commits of 5 over 200 customers, two protected
 *   fields each) taken from the JetStream log into a new protected SQLite replica, its inline
 *   perspective reading them opened (`nodeCipher`), each customer's key fetched once from the KV
 *   bucket into the replica's local key store; against the same pull of the same events in clear
 *   into an unprotected replica. The ratio is what protection costs a pull.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { jetstreamLedger, natsKeyStore } from '../../adapters/nats/node.ts';
import { sqliteDriver, sqliteKeyStore } from '../../adapters/sqlite/mod.ts';
import { type Driver, defineEvent, definePerspective, payload, whizbang } from '../../js/mod.ts';
import { protect, replicaKeyStore } from '../../js/protect/mod.ts';
import { nodeCipher } from '../../js/protect/node.ts';
import { offlineDriver, startSync } from '../../js/sync/mod.ts';
import type { BenchEntry, Side } from './harness.ts';

const URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const run = `keysync_${process.pid}_${Date.now().toString(36)}`;

type Contact = { customerId: string; email: string; phone: string; amount: number };
const Ordered = defineEvent('Ordered', payload<Contact>(), {
  protect: { subject: (e) => e.data.customerId, fields: ['email', 'phone'] },
});
const orders = definePerspective({
  name: 'orders',
  events: [Ordered],
  key: (e) => e.data.customerId,
  initial: () => ({ email: '', total: 0 }),
  apply: (m: { email: string; total: number }, e) => ({
    email: e.data.email,
    total: m.total + e.data.amount,
  }),
});

function pullProtected(): BenchEntry {
  return {
    name: 'sync.pull.protected',
    make: async () => {
      const COMMITS = 2_000;
      const PER = 5;
      const CUSTOMERS = 200;
      const EVENTS = COMMITS * PER;
      const dir = mkdtempSync(join(tmpdir(), 'whizbang-bench-keysync-'));
      const nc = await connect({ servers: URL });
      const bucket = `WB_BENCH_KEYS_${run}`;
      const master = (await crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, [
        'wrapKey',
        'unwrapKey',
      ])) as CryptoKey;
      const logs = {
        sealed: { stream: `WB_BENCH_${run}_S`, prefix: `bks.${run}.s` },
        clear: { stream: `WB_BENCH_${run}_C`, prefix: `bks.${run}.c` },
      };
      // the two logs: the same events, sealed by the server's keys, and in clear
      for (const which of ['sealed', 'clear'] as const) {
        const ledger = await jetstreamLedger({ connection: nc, ...logs[which] });
        const writer =
          which === 'clear'
            ? ledger
            : protect(
                { name: 'hq', ledger, store: sqliteDriver({ path: ':memory:' }).store },
                {
                  master,
                  keys: natsKeyStore(nc, { bucket }),
                  events: [Ordered],
                  cipher: nodeCipher(),
                },
              ).ledger;
        const versions = new Array<number>(CUSTOMERS).fill(0);
        for (let i = 0; i < COMMITS; i += 128) {
          const batch: unknown[] = [];
          for (let j = i; j < Math.min(COMMITS, i + 128); j++) {
            const c = j % CUSTOMERS;
            const events = Array.from({ length: PER }, (_, k) => ({
              type: 'Ordered',
              data: {
                customerId: `c${c}`,
                email: `c${c}@example.org`,
                phone: `+44 20 7946 ${j * PER + k}`,
                amount: 1,
              },
            }));
            batch.push(writer.append(`customer-c${c}`, events, { expectedVersion: versions[c]! }));
            versions[c]! += PER;
          }
          await Promise.all(batch);
        }
        await ledger.close();
      }
      let round = 0;
      const side = (which: 'sealed' | 'clear'): Side => {
        let close: (() => Promise<void>) | undefined;
        let pull: (() => Promise<number>) | undefined;
        return {
          name: which === 'sealed' ? 'protected replica' : 'the same replica, fields in clear',
          setup: async () => {
            const path = join(dir, `replica-${round++}.db`);
            const local = sqliteDriver({ path });
            const driver: Driver =
              which === 'clear'
                ? offlineDriver(local)
                : protect(offlineDriver(local), {
                    master,
                    keys: replicaKeyStore({
                      local: sqliteKeyStore(local.database),
                      shared: natsKeyStore(nc, { bucket }),
                    }),
                    events: [Ordered],
                    cipher: nodeCipher(),
                  });
            const app = whizbang('bench').perspective(orders).build({ driver });
            const remote = await jetstreamLedger({ connection: nc, ...logs[which] });
            pull = async () => (await startSync(app, { remote }).run()).pulled;
            close = async () => {
              await app.close();
              await remote.close();
              for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
            };
          },
          run: async () => {
            const pulled = await pull!();
            if (pulled !== EVENTS) throw new Error(`pulled ${pulled}`);
            return EVENTS;
          },
          teardown: () => close?.(),
        };
      };
      return {
        name: 'sync.pull.protected',
        unit: 'events/s',
        ops: EVENTS,
        rounds: 3,
        goal: 0.5,
        subject: side('sealed'),
        baseline: side('clear'),
        finish: async () => {
          const jsm = await jetstreamManager(nc);
          for (const s of [logs.sealed.stream, logs.clear.stream, `KV_${bucket}`]) {
            await jsm.streams.delete(s).catch(() => undefined);
          }
          await nc.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

/** The benchmarks of this file. */
export const benches: BenchEntry[] = [pullProtected()];
