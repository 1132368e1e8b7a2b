/**
 * A replica of the sync chaos run, wherever it runs (a Node process on SQLite, a Chromium tab on
 * IndexedDB): the sync suite's bank on an offline driver, syncing in the background with the
 * shared log, obeying orders one at a time. It can be cut off (offline) and armed to die at a
 * chosen point of a round — right after a push lands and before its local write, as a rebase
 * decides a command again, or as a round starts.
 */
import {
  accounts,
  createBank,
  Deposit,
  OpenAccount,
  Withdraw,
} from '../../../js/conformance/sync/bank.ts';
import type { Driver } from '../../../js/contracts/driver.ts';
import type { Ledger, RecordedEvent } from '../../../js/contracts/ledger.ts';
import { offlineDriver } from '../../../js/sync/driver.ts';
import { startSync } from '../../../js/sync/engine.ts';
import { WhizbangError } from '../../../js/util/errors.ts';
import { ACCOUNTS, type Answer, type Dump, type Order } from './protocol.ts';

/** What a replica is made of. */
export interface ReplicaParts {
  /** The shared log, as this replica reaches it. */
  readonly shared: Ledger & { close(): Promise<void> };
  /** The local driver (SQLite, IndexedDB). */
  readonly driver: Driver;
  /** Ends the replica at once (SIGKILL in a process); never returns. */
  readonly die: () => never;
}

/** Makes a replica; `obey` runs one order and answers it. */
export function chaosReplica({ shared, driver, die }: ReplicaParts): {
  obey(order: Order): Promise<Answer>;
} {
  let offline = false;
  let killAt: 'push' | 'rebase' | 'round' | undefined;
  const cut = (): void => {
    if (offline) throw new WhizbangError('UNAVAILABLE', 'offline (chaos)');
  };
  // the shared log as this replica reaches it: cut off while offline; armed to die after a push
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
      yield* shared.readAllBatches!(options);
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
  const app = createBank({ driver: offlineDriver(driver) });
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

  /** Rounds until one moves nothing (errors, say a server restarting, are retried); how much moved. */
  const settle = async (): Promise<number> => {
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
  };

  const dump = async (): Promise<Dump> => {
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
  };

  const obey = async (order: Order): Promise<Answer> => {
    switch (order.op) {
      case 'send': {
        const command =
          order.type === 'Deposit'
            ? Deposit({ accountId: order.accountId, amount: order.amount })
            : Withdraw({ accountId: order.accountId, amount: order.amount });
        try {
          await app.send(command, { messageId: order.id });
          return { re: 'send', id: order.id, ok: true };
        } catch (error) {
          return { re: 'send', id: order.id, ok: false, error: String(error) };
        }
      }
      case 'offline':
      case 'online':
        offline = order.op === 'offline';
        return { re: order.op };
      case 'arm':
        killAt = order.at;
        return { re: 'arm' };
      case 'settle':
        killAt = undefined;
        offline = false;
        return { re: 'settle', moved: await settle() };
      case 'open':
        await app.send(OpenAccount({ accountId: order.accountId, owner: order.accountId }));
        return { re: 'open' };
      case 'dump':
        return { re: 'dump', dump: await dump() };
      case 'close':
        await sync.stop();
        await app.close();
        await shared.close();
        return { re: 'close' };
    }
  };
  return { obey };
}
