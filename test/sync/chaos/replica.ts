/**
 * One replica process of the sync chaos run: the sync suite's bank on a SQLite file, syncing in
 * the background with the JetStream shared log, driven by JSON lines on stdin and answering on
 * stdout. It can be cut off (offline), armed to kill itself (SIGKILL) at a chosen point of a round
 * — right after a push lands and before its local write, as a rebase decides a command again, or
 * as a round starts — and killed from outside at any moment.
 * Usage: node --import tsx replica.ts <file> <servers> <stream> <prefix>
 */
import { createInterface } from 'node:readline';
import { jetstreamLedger } from '../../../adapters/nats/node.ts';
import { sqliteDriver } from '../../../adapters/sqlite/mod.ts';
import {
  accounts,
  createBank,
  Deposit,
  OpenAccount,
  Withdraw,
} from '../../../js/conformance/sync/bank.ts';
import type { Ledger, RecordedEvent } from '../../../js/contracts/ledger.ts';
import { offlineDriver } from '../../../js/sync/driver.ts';
import { startSync } from '../../../js/sync/engine.ts';
import { WhizbangError } from '../../../js/util/errors.ts';
import { ACCOUNTS, type Dump, type Order } from './protocol.ts';

const [file, servers, stream, prefix] = process.argv.slice(2) as [string, string, string, string];
const shared = await jetstreamLedger({ servers, stream, prefix });
let offline = false;
let killAt: 'push' | 'rebase' | 'round' | undefined;
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('killed');
};
const cut = (): void => {
  if (offline) throw new WhizbangError('UNAVAILABLE', 'offline (chaos)');
};

/** The shared log as this process reaches it: cut off while offline; armed to die after a push. */
const remote: Ledger = {
  async append(...args) {
    cut();
    const result = await shared.append(...args);
    if (killAt === 'push') die();
    return result;
  },
  async readStream(...args) {
    cut();
    return shared.readStream(...args);
  },
  async readAll(...args) {
    cut();
    return shared.readAll(...args);
  },
  async *readAllBatches(options) {
    cut();
    yield* shared.readAllBatches(options);
  },
  async streamVersion(...args) {
    cut();
    return shared.streamVersion(...args);
  },
  async headPosition() {
    cut();
    return shared.headPosition();
  },
  watch: (listener) => shared.watch(listener),
};

const app = createBank({ driver: offlineDriver(sqliteDriver({ path: file })) });
const replica = app.replica as { decideAgain: (...args: unknown[]) => unknown };
const decideAgain = replica.decideAgain.bind(replica);
replica.decideAgain = (...args: unknown[]) => {
  if (killAt === 'rebase') die();
  return decideAgain(...args);
};
const errors: string[] = [];
const sync = startSync(app, {
  remote,
  intervalMs: 200,
  onError: (e) => errors.push(String((e as Error)?.message ?? e)),
  onRoundStart: () => {
    if (killAt === 'round') die();
  },
});
sync.start();

const say = (line: unknown): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

/** Rounds until one moves nothing (errors, say a server restarting, are retried); how much moved. */
async function settle(): Promise<number> {
  await sync.stop();
  let total = 0;
  for (let quietRounds = 0, tries = 0; quietRounds < 2; tries++) {
    if (tries > 200) throw new Error(`never went quiet: ${errors.slice(-3).join(' | ')}`);
    try {
      const r = await sync.run();
      const moved = r.pulled + r.pushed + r.confirmed + r.redecided + r.conflicts;
      total += moved;
      quietRounds = moved === 0 && (await sync.pending()).length === 0 ? quietRounds + 1 : 0;
    } catch {
      quietRounds = 0;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  errors.length = 0;
  sync.start();
  return total;
}

async function dump(): Promise<Dump> {
  const events: RecordedEvent[] = await app.ledger.readAll();
  const balances: Record<string, number> = {};
  for (const id of ACCOUNTS) {
    const row = await app.lens(accounts).get(id);
    if (row !== undefined) balances[id] = row.balance;
  }
  const conflicts = (await sync.conflicts.query()).map((c) => ({
    id: c.command?.messageId ?? c.id,
    code: c.code,
  }));
  return {
    events: events.map((e) => ({
      streamId: e.streamId,
      version: e.version,
      type: e.type,
      messageId: e.messageId,
      causationId: e.causationId,
      data: e.data,
    })),
    balances,
    conflicts,
    pending: (await sync.pending()).length,
    errors: errors.length,
  };
}

async function obey(order: Order): Promise<void> {
  switch (order.op) {
    case 'send': {
      const command =
        order.type === 'Deposit'
          ? Deposit({ accountId: order.accountId, amount: order.amount })
          : Withdraw({ accountId: order.accountId, amount: order.amount });
      try {
        await app.send(command, { messageId: order.id });
        say({ re: 'send', id: order.id, ok: true });
      } catch (error) {
        say({ re: 'send', id: order.id, ok: false, error: String(error) });
      }
      return;
    }
    case 'offline':
      offline = true;
      say({ re: 'offline' });
      return;
    case 'online':
      offline = false;
      say({ re: 'online' });
      return;
    case 'arm':
      killAt = order.at;
      say({ re: 'arm' });
      return;
    case 'settle':
      killAt = undefined;
      offline = false;
      say({ re: 'settle', moved: await settle() });
      return;
    case 'open':
      await app.send(OpenAccount({ accountId: order.accountId, owner: order.accountId }));
      say({ re: 'open' });
      return;
    case 'dump':
      say({ re: 'dump', dump: await dump() });
      return;
    case 'close':
      await sync.stop();
      await app.close();
      await shared.close();
      say({ re: 'close' });
      process.exit(0);
  }
}

// orders are obeyed one at a time, in order
let queue = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  const order = JSON.parse(line) as Order;
  queue = queue
    .then(() => obey(order))
    .catch((error) => say({ re: 'failed', error: String(error) }));
});
say({ re: 'ready' });
