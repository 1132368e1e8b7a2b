/** What every part of the sync suite is given: the harness and replicas of the bank that sync. */
import { afterEach } from 'vitest';
import { offlineDriver, type Sync, type SyncConflict, startSync } from '../../sync/mod.ts';
import type { Driver, Ledger, MaybePromise, Whizbang } from '../whizbang.ts';
import { accounts, type BankCommand, createBank, Deposit, OpenAccount } from './bank.ts';

/** How the sync suite gets its parts. */
export interface SyncHarness {
  /** A new replica (a new local database): returns how to open it (again, after a close). */
  readonly replica: () => () => MaybePromise<Driver>;
  /** A new, empty shared log. */
  readonly remote: () => MaybePromise<Ledger>;
}

/** One replica: the bank on an offline driver, syncing with a shared log. */
export interface Client {
  readonly app: Whizbang<BankCommand>;
  readonly sync: Sync;
  readonly conflicts: SyncConflict[];
  close(): Promise<void>;
}

/** Two replicas that share an open account, and the log they share. */
export interface TwoReplicas {
  readonly remote: Ledger;
  readonly a: Client;
  readonly b: Client;
}

/** The harness and the ways a test makes and reads replicas. */
export interface SyncContext {
  readonly harness: SyncHarness;
  /** A replica on the driver `openDriver` opens, syncing with `remote`; closed after the test. */
  readonly client: (openDriver: () => MaybePromise<Driver>, remote: Ledger) => Promise<Client>;
  /** Two replicas that share an open account with a balance of 100. */
  readonly twoWithAccount: () => Promise<TwoReplicas>;
  /** The balance of account `acc` as a replica sees it. */
  readonly balance: (c: Client) => Promise<number | undefined>;
}

/** The context of the enclosing `describe`: replicas it opens are closed after each test. */
export function useReplicas(harness: SyncHarness): SyncContext {
  const open: Client[] = [];
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
  });

  const client = async (
    openDriver: () => MaybePromise<Driver>,
    remote: Ledger,
  ): Promise<Client> => {
    const app = createBank({ driver: offlineDriver(await openDriver()) });
    const conflicts: SyncConflict[] = [];
    const sync = startSync(app, { remote, onConflict: (c) => conflicts.push(c) });
    const c: Client = {
      app,
      sync,
      conflicts,
      async close() {
        const i = open.indexOf(c);
        if (i >= 0) open.splice(i, 1);
        await sync.stop();
        await app.close();
      },
    };
    open.push(c);
    return c;
  };

  const twoWithAccount = async (): Promise<TwoReplicas> => {
    const remote = await harness.remote();
    const a = await client(harness.replica(), remote);
    const b = await client(harness.replica(), remote);
    await a.app.send(OpenAccount({ accountId: 'acc', owner: 'Ada' }));
    await a.app.send(Deposit({ accountId: 'acc', amount: 100 }));
    await a.sync.run();
    await b.sync.run();
    return { remote, a, b };
  };

  const balance = async (c: Client): Promise<number | undefined> =>
    (await c.app.lens(accounts).get('acc'))?.balance;

  return { harness, client, twoWithAccount, balance };
}
