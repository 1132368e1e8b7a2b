/**
 * Benchmarks of offline sync between a SQLite replica and the JetStream shared log on the local
 * server (`NATS_URL`), each against the raw v3 client + raw better-sqlite3 loop doing the same:
 * - `sync.push`: 10 000 pending commits (one event each, over 100 streams) put on the shared log,
 *   expecting each stream's version, then marked pushed locally; the raw loop reads the rows,
 *   publishes each with `Nats-Expected-Last-Subject-Sequence` and a message id (256 in flight, as
 *   sync) and deletes the rows.
 * - `sync.pull`: 100 000 events (20 000 commits of 5 events over 1 000 streams) taken from the
 *   shared log into a new replica with its cursor; the raw loop consumes the stream with an
 *   ordered consumer and inserts each event row, 1 000 messages per transaction with the cursor.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import Database from 'better-sqlite3';
import { type JetStreamLedger, jetstreamLedger } from '../../adapters/nats/node.ts';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import type { Ledger } from '../../js/contracts/ledger.ts';
import { whizbang } from '../../js/runtime/builder.ts';
import { offlineDriver } from '../../js/sync/driver.ts';
import { type SyncReport, startSync } from '../../js/sync/engine.ts';
import { Deposit, deposit } from './deposits.ts';
import type { BenchEntry, Side } from './harness.ts';

const URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const run = `${process.pid}_${Date.now().toString(36)}`;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** An app with nothing but the receptor: what is measured is sync, not perspectives. */
const appOn = (path: string) =>
  whizbang('bench')
    .receptor(deposit)
    .build({ driver: offlineDriver(sqliteDriver({ path })) });

/** One sync round of a replica file with the shared log (the app opened and closed around it). */
async function syncRound(file: string, remote: Ledger): Promise<SyncReport> {
  const app = appOn(file);
  try {
    return await startSync(app, { remote }).run();
  } finally {
    await app.close();
  }
}

/** A SQLite file and its WAL companions. */
function removeDatabase(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
}

let made = 0;
function freshStream(): { stream: string; prefix: string } {
  const n = made++;
  return { stream: `WB_BENCH_SYNC_${run}_${n}`, prefix: `bsync.${run}.${n}` };
}

async function dropStreams(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for await (const s of jsm.streams.list()) {
    if (s.config.name.startsWith(`WB_BENCH_SYNC_${run}`)) await jsm.streams.delete(s.config.name);
  }
}

function syncPush(): BenchEntry {
  return {
    name: 'sync.push',
    make: async () => {
      const COMMITS = 10_000;
      const STREAMS = 100;
      const dir = mkdtempSync(join(tmpdir(), 'whizbang-bench-sync-'));
      const nc = await connect({ servers: URL });
      const js: JetStreamClient = jetstream(nc);
      const jsm = await jetstreamManager(nc);
      // the replica with its pending commits, made once and copied for each round
      const template = join(dir, 'template.db');
      {
        const app = appOn(template);
        for (let i = 0; i < COMMITS; i++) {
          await app.send(Deposit({ account: `a${i % STREAMS}`, amount: i }));
        }
        await app.close();
      }
      const rawTemplate = join(dir, 'raw-template.db');
      {
        const db = new Database(rawTemplate);
        db.pragma('journal_mode = WAL');
        db.exec(
          'CREATE TABLE pending (seq INTEGER PRIMARY KEY, stream TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL)',
        );
        const insert = db.prepare('INSERT INTO pending (stream, id, body) VALUES (?, ?, ?)');
        db.transaction(() => {
          for (let i = 0; i < COMMITS; i++) {
            const stream = `account-a${i % STREAMS}`;
            const body = JSON.stringify({
              v: 1,
              stream,
              tenant: 'default',
              events: [
                {
                  type: 'Deposited',
                  data: { account: `a${i % STREAMS}`, amount: i },
                  id: crypto.randomUUID(),
                  at: Date.now(),
                },
              ],
            });
            insert.run(stream, crypto.randomUUID(), body);
          }
        })();
        db.close();
      }
      let round = 0;
      let file = '';
      let remote: JetStreamLedger | undefined;
      const subject: Side = {
        name: 'whizbang sync',
        setup: async () => {
          file = join(dir, `replica-${round++}.db`);
          copyFileSync(template, file);
          remote = await jetstreamLedger({ connection: nc, ...freshStream() });
        },
        run: async () => {
          const report = await syncRound(file, remote!);
          if (report.pushed !== COMMITS) throw new Error(`pushed ${report.pushed}`);
          return COMMITS;
        },
        teardown: async () => {
          await remote?.close();
          removeDatabase(file);
        },
      };
      let rawFile = '';
      let rawSubject = '';
      const baseline: Side = {
        name: 'raw client + raw SQLite loop (256 in flight)',
        setup: async () => {
          rawFile = join(dir, `raw-${round++}.db`);
          copyFileSync(rawTemplate, rawFile);
          const { stream, prefix } = freshStream();
          await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] });
          rawSubject = prefix;
        },
        run: async () => {
          const db = new Database(rawFile);
          const rows = db
            .prepare('SELECT seq, stream, id, body FROM pending ORDER BY seq')
            .all() as Array<{
            seq: number;
            stream: string;
            id: string;
            body: string;
          }>;
          const remove = db.prepare('DELETE FROM pending WHERE seq = ?');
          const last = new Map<string, number>();
          let tail = 0;
          for (let i = 0; i < rows.length; i += 256) {
            const batch = rows.slice(i, i + 256);
            await Promise.all(
              batch.map((r) => {
                const expected = last.get(r.stream) ?? 0;
                last.set(r.stream, ++tail);
                return js.publish(`${rawSubject}.default.${r.stream}`, encoder.encode(r.body), {
                  msgID: r.id,
                  expect: { lastSubjectSequence: expected },
                });
              }),
            );
            db.transaction(() => {
              for (const r of batch) remove.run(r.seq);
            })();
          }
          db.close();
          return rows.length;
        },
        teardown: () => {
          removeDatabase(rawFile);
        },
      };
      return {
        name: 'sync.push',
        unit: 'commits/s',
        ops: COMMITS,
        rounds: 3,
        goal: 0.7,
        subject,
        baseline,
        finish: async () => {
          await dropStreams(nc);
          await nc.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

function syncPull(): BenchEntry {
  return {
    name: 'sync.pull',
    make: async () => {
      const COMMITS = 20_000;
      const PER = 5;
      const STREAMS = 1_000;
      const EVENTS = COMMITS * PER;
      const dir = mkdtempSync(join(tmpdir(), 'whizbang-bench-sync-'));
      const nc = await connect({ servers: URL });
      const js: JetStreamClient = jetstream(nc);
      const log = freshStream();
      // the shared log, written once through the ledger (256 appends in flight)
      {
        const ledger = await jetstreamLedger({ connection: nc, ...log });
        const versions = new Array<number>(STREAMS).fill(0);
        for (let i = 0; i < COMMITS; i += 256) {
          const batch: Promise<unknown>[] = [];
          for (let j = i; j < Math.min(COMMITS, i + 256); j++) {
            const s = j % STREAMS;
            const events = Array.from({ length: PER }, (_, k) => ({
              type: 'Deposited',
              data: { account: `a${s}`, amount: j * PER + k },
            }));
            batch.push(ledger.append(`account-a${s}`, events, { expectedVersion: versions[s]! }));
            versions[s]! += PER;
          }
          await Promise.all(batch);
        }
        await ledger.close();
      }
      let round = 0;
      let file = '';
      let remote: JetStreamLedger | undefined;
      const subject: Side = {
        name: 'whizbang sync',
        setup: async () => {
          file = join(dir, `replica-${round++}.db`);
          remote = await jetstreamLedger({ connection: nc, ...log });
        },
        run: async () => {
          const report = await syncRound(file, remote!);
          if (report.pulled !== EVENTS) throw new Error(`pulled ${report.pulled}`);
          return EVENTS;
        },
        teardown: async () => {
          await remote?.close();
          removeDatabase(file);
        },
      };
      let rawFile = '';
      const baseline: Side = {
        name: 'raw ordered consumer + raw SQLite inserts (1 000 per transaction)',
        setup: () => {
          rawFile = join(dir, `raw-${round++}.db`);
        },
        run: async () => {
          const db = new Database(rawFile);
          db.pragma('journal_mode = WAL');
          db.pragma('synchronous = NORMAL');
          db.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY, tenant TEXT NOT NULL, stream_id TEXT NOT NULL,
            version INTEGER NOT NULL, type TEXT NOT NULL, message_id TEXT NOT NULL, time INTEGER NOT NULL, data TEXT NOT NULL,
            UNIQUE (tenant, stream_id, version));
            CREATE TABLE cursor (id INTEGER PRIMARY KEY, position INTEGER NOT NULL);`);
          const insert = db.prepare(
            'INSERT INTO events (tenant, stream_id, version, type, message_id, time, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
          );
          const cursor = db.prepare('INSERT OR REPLACE INTO cursor (id, position) VALUES (1, ?)');
          const consumer = await js.consumers.get(log.stream);
          const messages = await consumer.consume({ max_messages: 1024 });
          let page: Array<{
            version: number;
            body: {
              stream: string;
              tenant: string;
              events: Array<{ type: string; id: string; at: number; data: unknown }>;
            };
          }> = [];
          let count = 0;
          const flush = db.transaction((position: number) => {
            for (const m of page) {
              m.body.events.forEach((e, k) => {
                insert.run(
                  m.body.tenant,
                  m.body.stream,
                  m.version + k,
                  e.type,
                  e.id,
                  e.at,
                  JSON.stringify(e.data),
                );
              });
            }
            cursor.run(position);
          });
          for await (const m of messages) {
            const body = JSON.parse(decoder.decode(m.data));
            page.push({ version: Number(m.headers?.get('Whizbang-Version')), body });
            count += body.events.length;
            if (page.length === 1000 || m.info.pending === 0) {
              flush(count);
              page = [];
            }
            if (m.info.pending === 0) break;
          }
          await messages.close();
          db.close();
          return count;
        },
        teardown: () => {
          removeDatabase(rawFile);
        },
      };
      return {
        name: 'sync.pull',
        unit: 'events/s',
        ops: EVENTS,
        rounds: 3,
        goal: 0.7,
        subject,
        baseline,
        finish: async () => {
          await dropStreams(nc);
          await nc.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

export const benches: BenchEntry[] = [syncPush(), syncPull()];
