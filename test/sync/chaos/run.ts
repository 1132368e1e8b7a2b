/**
 * The sync chaos run: several replica processes (SQLite) syncing in the background through the
 * real JetStream shared log of a nats-server of the run's own, while seeded random steps send
 * deposits and withdrawals on five shared accounts (with an overdraft limit of 0), cut replicas
 * off and back, kill them (SIGKILL from outside, or at an armed point: after a push before its
 * local write, as a rebase decides again, as a round starts) and restart them on their files, and
 * restart the server once. Then everything syncs until quiet and the checks run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamLedger } from '../../../adapters/nats/node.ts';
import type { RecordedEvent } from '../../../js/contracts/ledger.ts';
import { type Browser, loadBrowser } from '../../support/browser.ts';
import { startNatsServer } from '../../support/nats-server.ts';
import { random } from '../../support/random.ts';
import { ReplicaProcess } from './process.ts';
import { ACCOUNTS, type Answer, type Dump, type Order } from './protocol.ts';
import { TabReplica } from './tab.ts';

/** Chromium with the tab replica's page served. */
async function openBrowser(): Promise<{
  browser: Browser;
  context: unknown;
  site: string;
  close(): Promise<void>;
}> {
  const browser = await loadBrowser();
  const site = await browser.serve(await browser.bundle('test/sync/chaos/tab-page.ts'));
  const launched = await browser.launch();
  return {
    browser,
    context: launched.context,
    site: site.url,
    async close() {
      await launched.close();
      await site.close();
    },
  };
}

/** How a run goes. */
export interface ChaosOptions {
  readonly seed: number;
  readonly replicas?: number;
  readonly steps?: number;
  /** A replica is killed from outside every this many steps. */
  readonly killEvery?: number;
  /** The last replica is a Chromium tab on IndexedDB (the log over WebSocket). */
  readonly browser?: boolean;
}

/** A replica as the run drives it: a process, or a tab. */
interface Replica {
  readonly alive: boolean;
  readonly deaths: number;
  start(): Promise<void>;
  order(order: Order): Promise<Answer | undefined>;
  kill(): Promise<void>;
}

/** What a run found: the failed checks (none when it passed) and what happened. */
export interface ChaosResult {
  readonly failures: string[];
  readonly stats: Record<string, number>;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One seeded run; never throws for a failed check (they are listed), only for a broken rig. */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const { seed } = options;
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const steps = options.steps ?? 120;
  const killEvery = options.killEvery ?? 25;
  const server = await startNatsServer('', { websocket: options.browser === true });
  const dir = mkdtempSync(join(tmpdir(), 'whizbang-chaos-'));
  const stream = `CHAOS_${seed}`;
  const prefix = `chaos.${seed}`;
  const count = options.replicas ?? 3;
  const tabs = options.browser === true ? await openBrowser() : undefined;
  const replicas: Replica[] = Array.from({ length: count }, (_, i) =>
    tabs !== undefined && i === count - 1
      ? new TabReplica(tabs.browser, tabs.context, tabs.site, {
          url: server.wsUrl!,
          name: `chaos-${seed}`,
          stream,
          prefix,
        })
      : new ReplicaProcess(join(dir, `r${i}.db`), server.url, stream, prefix),
  );
  const stats: Record<string, number> = {
    sent: 0,
    accepted: 0,
    refused: 0,
    kills: 0,
    armed: 0,
    offline: 0,
    serverRestarts: 0,
  };
  const accepted = new Set<string>();
  const revive = async (r: Replica): Promise<void> => {
    if (!r.alive) await r.start();
  };
  try {
    for (const r of replicas) await r.start();
    for (const id of ACCOUNTS) await replicas[0]!.order({ op: 'open', accountId: id });
    await replicas[0]!.order({ op: 'settle' });
    for (let step = 0; step < steps; step++) {
      for (const r of replicas) await revive(r);
      const r = pick(replicas);
      const roll = rnd();
      if (step === Math.floor(steps / 2) + 1) {
        // the server goes down once, for up to a second, while the replicas work on
        await server.kill();
        await pause(200 + Math.floor(rnd() * 800));
        await server.start();
        stats.serverRestarts!++;
      } else if (step > 0 && step % killEvery === 0) {
        await pause(Math.floor(rnd() * 300)); // somewhere in a round, or between rounds
        await r.kill();
        stats.kills!++;
      } else if (roll < 0.7) {
        const id = `cmd-${seed}-${step}`;
        const type = rnd() < 0.5 ? 'Deposit' : 'Withdraw';
        const amount = 1 + Math.floor(rnd() * (type === 'Deposit' ? 30 : 40));
        stats.sent!++;
        const answer = await r.order({ op: 'send', id, type, accountId: pick(ACCOUNTS), amount });
        if (answer?.ok === true) {
          accepted.add(id);
          stats.accepted!++;
        } else if (answer !== undefined) stats.refused!++;
      } else if (roll < 0.82) {
        stats.offline!++;
        await r.order({ op: rnd() < 0.5 ? 'offline' : 'online' });
      } else if (roll < 0.88) {
        stats.armed!++;
        await r.order({ op: 'arm', at: pick(['push', 'rebase', 'round'] as const) });
      } else {
        await pause(Math.floor(rnd() * 250));
      }
    }
    // everyone back, online, and synced until a whole pass moves nothing
    let passes = 0;
    for (;;) {
      for (const r of replicas) await revive(r);
      let moved = 0;
      for (const r of replicas) {
        const a = await r.order({ op: 'settle' });
        moved += a === undefined ? 1 : Number(a.moved);
      }
      if (moved === 0) break;
      if (++passes > 10) throw new Error(`seed ${seed}: sync never went quiet`);
    }
    await pause(600); // background rounds run meanwhile: they must find nothing to do
    const dumps: Dump[] = [];
    for (const r of replicas) {
      const a = await r.order({ op: 'dump' });
      dumps.push(a!.dump as Dump);
    }
    stats.deaths = replicas.reduce((n, r) => n + r.deaths, 0);
    stats.conflicts = dumps.reduce((n, d) => n + d.conflicts.length, 0);
    const log = await jetstreamLedger({ servers: server.url, stream, prefix });
    const all: RecordedEvent[] = await log.readAll();
    await log.close();
    stats.logEvents = all.length;
    return { failures: check(all, dumps, accepted), stats };
  } finally {
    for (const r of replicas) await r.kill();
    await tabs?.close();
    await server.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A stream's events as two ledgers must share them. */
const shape = (events: ReadonlyArray<{ streamId: string; version: number; messageId: string }>) =>
  events
    .map((e) => `${e.streamId}@${e.version}=${e.messageId}`)
    .sort()
    .join('\n');

function check(
  all: readonly RecordedEvent[],
  dumps: readonly Dump[],
  accepted: Set<string>,
): string[] {
  const failures: string[] = [];
  const fail = (what: string) => failures.push(what);
  // the log: positions 1..n, each stream's versions 1..n, no event twice
  all.forEach((e, i) => {
    if (e.position !== i + 1) fail(`log position ${e.position} at index ${i}`);
  });
  const versions = new Map<string, number>();
  const ids = new Set<string>();
  for (const e of all) {
    const last = versions.get(e.streamId) ?? 0;
    if (e.version !== last + 1) fail(`log stream ${e.streamId} goes from ${last} to ${e.version}`);
    versions.set(e.streamId, e.version);
    if (ids.has(e.messageId)) fail(`event ${e.messageId} twice in the log`);
    ids.add(e.messageId);
  }
  // each command's effect at most once; the overdraft limit (0) holds at every version
  const byCommand = new Map<string, number>();
  const balance = new Map<string, number>();
  for (const e of all) {
    byCommand.set(e.causationId, (byCommand.get(e.causationId) ?? 0) + 1);
    const d = e.data as { accountId?: string; amount?: number };
    if (e.type === 'MoneyDeposited' || e.type === 'MoneyWithdrawn') {
      const b =
        (balance.get(d.accountId!) ?? 0) + (e.type === 'MoneyDeposited' ? 1 : -1) * d.amount!;
      balance.set(d.accountId!, b);
      if (b < 0) fail(`account ${d.accountId} at ${b} (limit 0) at position ${e.position}`);
    }
  }
  for (const [id, n] of byCommand) if (n > 1) fail(`command ${id} has ${n} events in the log`);
  // every accepted command is in the log or a reported conflict
  const conflicts = new Set(dumps.flatMap((d) => d.conflicts.map((c) => c.id)));
  for (const id of accepted) {
    if (!byCommand.has(id) && !conflicts.has(id))
      fail(`accepted command ${id} is in neither the log nor a conflict`);
    if (byCommand.has(id) && conflicts.has(id)) fail(`command ${id} is in the log and a conflict`);
  }
  for (const c of dumps.flatMap((d) => d.conflicts)) {
    if (c.code !== 'COMMAND_REFUSED') fail(`conflict ${c.id} has code ${c.code}`);
  }
  const logShape = shape(all);
  dumps.forEach((d, i) => {
    if (shape(d.events) !== logShape) fail(`replica ${i}'s ledger differs from the log`);
    if (d.pending !== 0) fail(`replica ${i} still has ${d.pending} pending`);
    if (d.errors !== 0) fail(`replica ${i} reported ${d.errors} errors after going quiet`);
    // the perspective equals a fresh fold of the replica's own ledger
    const fold = new Map<string, number>();
    for (const e of d.events) {
      const x = e.data as { accountId?: string; amount?: number };
      if (e.type === 'AccountOpened') fold.set(x.accountId!, fold.get(x.accountId!) ?? 0);
      if (e.type === 'MoneyDeposited' || e.type === 'MoneyWithdrawn') {
        fold.set(
          x.accountId!,
          (fold.get(x.accountId!) ?? 0) + (e.type === 'MoneyDeposited' ? 1 : -1) * x.amount!,
        );
      }
    }
    for (const [id, b] of fold) {
      if (d.balances[id] !== b)
        fail(`replica ${i}: perspective says ${id} = ${d.balances[id]}, the fold ${b}`);
    }
  });
  return failures;
}
