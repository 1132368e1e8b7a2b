/**
 * Offline sync against the real JetStream shared log: the sync conformance suite with SQLite
 * replicas, and a syncing process killed (SIGKILL) between a push and its local write, again and
 * again, that neither loses nor duplicates a commit.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JetStreamLedger, jetstreamLedger } from '../../adapters/nats/node.ts';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { accounts, createBank, Deposit, OpenAccount } from '../../examples/bank/domain.ts';
import { syncConformance } from '../../js/conformance/mod.ts';
import { streamsOf } from '../../js/conformance/sync/ledgers.ts';
import { offlineDriver } from '../../js/sync/driver.ts';
import { startSync } from '../../js/sync/engine.ts';
import { NATS_URL, natsReachable } from '../support/services.ts';

const up = await natsReachable('offline sync with JetStream');
const run = `${process.pid}_${Date.now().toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), 'whizbang-sync-nats-'));
let nc: NatsConnection;
let made = 0;
const ledgers: JetStreamLedger[] = [];
const streams: string[] = [];

beforeAll(async () => {
  if (up) nc = await connect({ servers: NATS_URL });
});
afterAll(async () => {
  for (const l of ledgers) await l.close();
  if (nc !== undefined) {
    const jsm = await jetstreamManager(nc);
    for (const s of streams) await jsm.streams.delete(s).catch(() => undefined);
    await nc.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A shared log of its own: a JetStream stream and subject prefix, deleted after the file. */
function sharedLog(): { stream: string; prefix: string } {
  const n = made++;
  const stream = `WB_SYNC_${run}_${n}`;
  streams.push(stream);
  return { stream, prefix: `wbs.${run}.${n}` };
}

async function remote(): Promise<JetStreamLedger> {
  const ledger = await jetstreamLedger({ connection: nc, ...sharedLog() });
  ledgers.push(ledger);
  return ledger;
}

describe.skipIf(!up)('offline sync with JetStream', () => {
  syncConformance('SQLite replicas, JetStream shared log', {
    replica: () => {
      const path = join(dir, `replica${made++}.db`);
      return () => sqliteDriver({ path });
    },
    remote,
  });
});

const worker = fileURLToPath(new URL('./sync-worker.ts', import.meta.url));

/** Runs the worker to its end (or its own SIGKILL); resolves with its output and exit signal. */
function syncOnce(
  file: string,
  log: { stream: string; prefix: string },
  crash: boolean,
  killAfterMs?: number,
  window = 256,
): Promise<{ out: string; signal: NodeJS.Signals | null; code: number | null }> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', worker, file, NATS_URL, log.stream, log.prefix];
    if (crash) args.push('--crash-after-push');
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PUSH_WINDOW: String(window) },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (killAfterMs !== undefined && out.includes('ready')) {
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        killAfterMs = undefined;
      }
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`worker failed (${code}): ${err}`));
      else resolve({ out, signal, code });
    });
  });
}

describe.skipIf(!up)('a syncing process killed (SIGKILL) between push and local write', () => {
  it('loses and duplicates nothing across repeated crashes and restarts', async () => {
    const log = sharedLog();
    const file = join(dir, 'crashing.db');
    const deposits = 12;
    {
      const app = createBank({ driver: offlineDriver(sqliteDriver({ path: file })) });
      await app.send(OpenAccount({ accountId: 'acc', owner: 'Ada' }));
      for (let i = 1; i <= deposits; i++) await app.send(Deposit({ accountId: 'acc', amount: i }));
      await app.close();
    }
    // pushing one commit at a time, each run dies right after its push lands, before writing
    // that it did: the next run finds it in the shared log
    for (let i = 0; i < deposits / 2; i++) {
      const r = await syncOnce(file, log, true, undefined, 1);
      expect(r.signal).toBe('SIGKILL');
      expect(r.out).toContain('pushed');
    }
    // pushing many at once, it dies when the first lands, others in flight
    const many = await syncOnce(file, log, true);
    expect(many.signal).toBe('SIGKILL');
    // and killed from outside at moments of the test's choosing
    for (const ms of [5, 40, 120, 15, 80]) await syncOnce(file, log, false, ms);
    const last = await syncOnce(file, log, false);
    expect(last.out).toContain('synced');

    const shared = await jetstreamLedger({ connection: nc, ...log });
    ledgers.push(shared);
    const events = await shared.readStream('account-acc');
    expect(events.map((e) => e.type)).toEqual([
      'AccountOpened',
      ...Array.from({ length: deposits }, () => 'MoneyDeposited'),
    ]);
    expect(new Set(events.map((e) => e.messageId)).size).toBe(events.length);
    const app = createBank({ driver: offlineDriver(sqliteDriver({ path: file })) });
    try {
      const sync = startSync(app, { remote: shared });
      expect(await sync.pending()).toEqual([]);
      expect(await sync.cursor()).toBe(deposits + 1);
      expect(await streamsOf(app.ledger)).toEqual(await streamsOf(shared));
      expect((await app.lens(accounts).get('acc'))?.balance).toBe((deposits * (deposits + 1)) / 2);
    } finally {
      await app.close();
    }
  }, 240_000);
});
