/**
 * One run of the rig across processes: the sender and the receiver are workers (`worker.ts`) on
 * SQLite files or PostgreSQL schemas, talking over NATS on the run's own server. While the orders
 * flow, the sender and the receiver are killed with SIGKILL (mid-send, mid-relay, mid-handling)
 * and started again on the same store, and the broker is killed and restarted.
 */
import { sleep } from '../../js/conformance/helpers.ts';
import { startWorker, type Worker } from '../adapters/sqlite-workers/harness.ts';
import type { OwnNatsServer } from '../support/nats-server.ts';
import { type RunReport, report, settle } from './in-process.ts';
import { seeded } from './scenario.ts';
import { openDriver, type Places, type StoreSpec, type TransportKind } from './setup.ts';
import type { WorkerArgs } from './worker.ts';

/** What is killed, and how often, in one run. */
export interface Kills {
  readonly sender: number;
  readonly receiver: number;
  readonly broker: number;
}

/** One run across processes. */
export interface ProcessRun {
  readonly store: 'sqlite' | 'postgres';
  readonly transport: Exclude<TransportKind, 'memory'>;
  readonly seed: number;
  readonly orders: number;
  readonly customers: number;
  readonly places: Places;
  readonly broker: OwnNatsServer;
  readonly kills: Kills;
  /** How long the broker stays down each time it is killed, ms (in turn). */
  readonly outagesMs: readonly number[];
  readonly paceMs: number;
}

type Kill = { readonly at: number; readonly what: keyof Kills };

/** The kills of a run, each at a share of the orders sent, in order. */
function schedule(run: ProcessRun, rng: () => number): Kill[] {
  const kills: Kill[] = [];
  for (const what of ['sender', 'receiver', 'broker'] as const) {
    for (let k = 0; k < run.kills[what]; k++) {
      kills.push({ what, at: Math.floor(run.orders * (0.1 + 0.8 * rng())) });
    }
  }
  return kills.sort((a, b) => a.at - b.at);
}

/** The highest `sent <i>` a sender said. */
function sentBy(worker: Worker): number {
  let most = 0;
  for (const line of worker.lines) {
    if (line.startsWith('sent ')) most = Math.max(most, Number(line.slice(5)));
  }
  return most;
}

/** Runs one seed across processes; resolves with what it found. */
export async function runProcesses(run: ProcessRun): Promise<RunReport> {
  const started = Date.now();
  const rng = seeded(run.seed);
  const label = `processes, ${run.store} × ${run.transport}, seed ${run.seed}`;
  const prefix = `rigp_${run.seed}_${Date.now().toString(36)}_${Math.floor(rng() * 1e6)}`;
  const specA: StoreSpec = run.places.fresh(run.store, 'sender');
  const specB: StoreSpec = run.places.fresh(run.store, 'receiver');
  const base = {
    transport: { kind: run.transport, url: run.broker.url, prefix },
    seed: run.seed,
    orders: run.orders,
    customers: run.customers,
    paceMs: run.paceMs,
  };
  const start = async (role: 'sender' | 'receiver'): Promise<Worker> => {
    const args: WorkerArgs = { ...base, role, store: role === 'sender' ? specA : specB };
    const worker = startWorker('../../durability/worker', [JSON.stringify(args)], { dir: '/' });
    await worker.ready();
    return worker;
  };
  // the stores exist (and are migrated) before either service starts
  const driverA = await openDriver(specA);
  const driverB = await openDriver(specB);
  const done = { sender: 0, receiver: 0, broker: 0 };
  let receiver = await start('receiver');
  let sender = await start('sender');
  let sent = 0;
  try {
    for (const kill of schedule(run, rng)) {
      while (Math.max(sent, sentBy(sender)) < kill.at && !sender.lines.includes('done')) {
        await sleep(5);
      }
      done[kill.what]++;
      if (kill.what === 'sender') {
        sent = Math.max(sent, sentBy(sender));
        sender.kill();
        await sender.exit;
        sender = await start('sender');
      } else if (kill.what === 'receiver') {
        receiver.kill();
        await receiver.exit;
        receiver = await start('receiver');
      } else {
        await run.broker.kill();
        await sleep(run.outagesMs[(done.broker - 1) % run.outagesMs.length]!);
        await run.broker.start();
      }
    }
    await sender.line('done', 120_000);
    await settle(driverA, driverB, run.orders, 120_000);
  } finally {
    for (const worker of [sender, receiver]) {
      worker.send('exit');
      const exited = await Promise.race([worker.exit, sleep(5_000).then(() => undefined)]);
      if (exited === undefined) worker.kill();
    }
  }
  const events = {
    senderKills: done.sender,
    receiverKills: done.receiver,
    brokerKills: done.broker,
  };
  return report(label, driverA, driverB, events, started);
}
