/** Benchmarks of the in-memory runtime: the command path and the memory ledger. */
import {
  CommandHandler,
  getInMemoryDatabase,
  getInMemoryEventStore,
  inMemorySingleStreamProjection,
  projections,
} from '@event-driven-io/emmett';
import type { Ledger } from '../../js/mod.ts';
import { memoryLedger, whizbang } from '../../js/mod.ts';
import {
  ACCOUNTS,
  type AccountState,
  balances,
  Deposit,
  decideDeposit,
  deposit,
  evolveAccount,
  initialAccount,
} from './bank.ts';
import type { BenchEntry } from './harness.ts';

export const benches: BenchEntry[] = [
  {
    name: 'command.path.memory',
    make: () => {
      let app = whizbang('bench').receptor(deposit).perspective(balances).build();
      type Dep = { type: 'Deposited'; data: { accountId: string; amount: number } };
      const handle = CommandHandler<AccountState, Dep>({
        evolve: evolveAccount,
        initialState: initialAccount,
      });
      let store = getInMemoryEventStore();
      const emmettStore = () =>
        getInMemoryEventStore({
          database: getInMemoryDatabase(),
          projections: projections.inline([
            inMemorySingleStreamProjection<AccountState & Record<string, unknown>, Dep>({
              collectionName: 'balances',
              canHandle: ['Deposited'],
              getDocumentId: (e) => e.data.accountId,
              initialState: () => initialAccount() as AccountState & Record<string, unknown>,
              evolve: (
                d: AccountState & Record<string, unknown>,
                e: { data: { amount: number } },
              ) => evolveAccount(d, e) as AccountState & Record<string, unknown>,
            }),
          ]),
        });
      return {
        name: 'command.path.memory',
        unit: 'commands/s',
        goal: 10,
        ops: 20_000,
        rounds: 11,
        subject: {
          name: 'whizbang send',
          setup: () => {
            app = whizbang('bench').receptor(deposit).perspective(balances).build();
          },
          run: async (n) => {
            for (let i = 0; i < n; i++) {
              await app.send(Deposit({ accountId: ACCOUNTS[i % ACCOUNTS.length]!, amount: 1 }));
            }
            return n;
          },
        },
        baseline: {
          name: 'Emmett in-memory store + CommandHandler + inline projection',
          setup: () => {
            store = emmettStore();
          },
          run: async (n) => {
            for (let i = 0; i < n; i++) {
              const accountId = ACCOUNTS[i % ACCOUNTS.length]!;
              await handle(store, `account-${accountId}`, (s) => {
                decideDeposit(1, s);
                return { type: 'Deposited', data: { accountId, amount: 1 } };
              });
            }
            return n;
          },
        },
      };
    },
  },
  {
    name: 'ledger.memory.append',
    make: () => {
      let ledger: Ledger = memoryLedger();
      let emmett = getInMemoryEventStore();
      const streams = ACCOUNTS.map((a) => `account-${a}`);
      return {
        name: 'ledger.memory.append',
        unit: 'events/s',
        ops: 100_000,
        subject: {
          name: 'memoryLedger.append, 1 event, expected version (awaited)',
          setup: () => {
            ledger = memoryLedger();
          },
          run: async (n) => {
            const versions = new Array<number>(ACCOUNTS.length).fill(0);
            for (let i = 0; i < n; i++) {
              const a = i % ACCOUNTS.length;
              await ledger.append(
                streams[a]!,
                [{ type: 'Deposited', data: { accountId: ACCOUNTS[a], amount: 1 } }],
                {
                  expectedVersion: versions[a]!,
                },
              );
              versions[a]!++;
            }
            return n;
          },
        },
        baseline: {
          name: 'Emmett in-memory appendToStream, 1 event, expected version',
          setup: () => {
            emmett = getInMemoryEventStore();
          },
          run: async (n) => {
            const versions = new Array<bigint>(ACCOUNTS.length).fill(0n);
            for (let i = 0; i < n; i++) {
              const a = i % ACCOUNTS.length;
              await emmett.appendToStream(
                streams[a]!,
                [{ type: 'Deposited', data: { accountId: ACCOUNTS[a]!, amount: 1 } }],
                {
                  expectedStreamVersion: versions[a]!,
                },
              );
              versions[a]!++;
            }
            return n;
          },
        },
      };
    },
  },
  {
    name: 'ledger.memory.readStream',
    make: async () => {
      const ledger = memoryLedger();
      const emmett = getInMemoryEventStore();
      for (let i = 0; i < 1000; i++) {
        const event = { type: 'Deposited', data: { accountId: 'x', amount: i + 1 } };
        ledger.append('big', [event]);
        await emmett.appendToStream('big', [event]);
      }
      return {
        name: 'ledger.memory.readStream',
        unit: 'events/s',
        ops: 1_000,
        subject: {
          name: 'memoryLedger.readStream of a 1000-event stream, each event read',
          run: (n) => {
            let count = 0;
            let sum = 0;
            for (let i = 0; i < n; i++) {
              for (const e of ledger.readStream('big')) {
                sum += (e.data as { amount: number }).amount;
                count++;
              }
            }
            return sum > 0 ? count : 0;
          },
        },
        baseline: {
          name: 'Emmett in-memory readStream of the same stream',
          run: async (n) => {
            let count = 0;
            let sum = 0;
            for (let i = 0; i < n; i++) {
              const { events } = await emmett.readStream<{
                type: 'Deposited';
                data: { amount: number };
              }>('big');
              for (const e of events) {
                sum += e.data.amount;
                count++;
              }
            }
            return sum > 0 ? count : 0;
          },
        },
      };
    },
  },
];
