/**
 * The offline sync conformance suite: every local driver that can sync (SQLite, IndexedDB) runs it
 * unchanged, against a shared log (the memory ledger in fast runs, JetStream against the real
 * server). Two replicas of the bank work offline, then sync: the outcome is the one the receptors
 * decide, conflicts are reported, and every replica ends with the shared log's events.
 * @example
 * syncConformance('SQLite', { replica: () => { const path = file(); return () => sqliteDriver({ path }); }, remote: () => memoryLedger() });
 * @module
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  accounts,
  BankError,
  createBank,
  Deposit,
  OpenAccount,
  Transfer,
  transfers,
  Withdraw,
} from '../../examples/bank/domain.ts';
import type { Driver } from '../../js/contracts/driver.ts';
import type { Ledger, RecordedEvent } from '../../js/contracts/ledger.ts';
import { offlineDriver } from '../../js/sync/driver.ts';
import { type Sync, startSync } from '../../js/sync/engine.ts';
import type { SyncConflict } from '../../js/sync/records.ts';
import type { MaybePromise } from '../../js/util/maybe.ts';
import { afterAppend } from '../support/ledgers.ts';

/** How a suite gets its parts. */
export interface SyncHarness {
  /** A new replica (a new local database): returns how to open it (again, after a close). */
  readonly replica: () => () => MaybePromise<Driver>;
  /** A new, empty shared log. */
  readonly remote: () => MaybePromise<Ledger>;
}

type Bank = ReturnType<typeof createBank>;

interface Client {
  readonly app: Bank;
  readonly sync: Sync;
  readonly conflicts: SyncConflict[];
  close(): Promise<void>;
}

/** The events of every stream, in version order: what two converged replicas share. */
export async function streamsOf(ledger: Ledger): Promise<Map<string, unknown[]>> {
  const all: RecordedEvent[] = await ledger.readAll();
  const streams = new Map<string, unknown[]>();
  for (const e of all) {
    const key = `${e.tenant}/${e.streamId}`;
    let list = streams.get(key);
    if (list === undefined) {
      list = [];
      streams.set(key, list);
    }
    list.push({ version: e.version, type: e.type, messageId: e.messageId, data: e.data });
  }
  for (const list of streams.values()) {
    (list as Array<{ version: number }>).sort((a, b) => a.version - b.version);
  }
  return new Map([...streams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function syncConformance(name: string, harness: SyncHarness): void {
  describe(`offline sync conformance: ${name}`, () => {
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

    /** Two replicas that share an open account with a balance of 100. */
    const twoWithAccount = async () => {
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

    it('replaces a stream’s tail in one transaction, refusing a cut past its end and keeping all on a failure', async () => {
      const driver = await harness.replica()();
      try {
        const ledger = driver.ledger;
        await ledger.append(
          's',
          [1, 2, 3].map((n) => ({ type: 'T', data: { n } })),
        );
        await ledger.append('other', [{ type: 'T', data: { n: 9 } }]);
        const replace = ledger.replaceTail!.bind(ledger);
        const before = await ledger.readAll();
        const past = await Promise.resolve()
          .then(() => replace('s', 5, [{ type: 'T', data: { n: 0 } }]))
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        expect(past).toMatchObject({ code: 'INVALID_ARGUMENT' });
        const failed = await Promise.resolve()
          .then(() =>
            replace('s', 1, [{ type: 'T', data: { n: 0 } }], {
              inTransaction: () => {
                throw new Error('inline work failed');
              },
            }),
          )
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        expect(String(failed)).toMatch(/inline work failed/);
        expect(await ledger.readAll()).toEqual(before);

        const done = await replace('s', 1, [
          { type: 'T', data: { n: 20 } },
          { type: 'T', data: { n: 30 } },
        ]);
        expect(done.version).toBe(3);
        const stream = await ledger.readStream('s');
        expect(stream.map((e) => [e.version, (e.data as { n: number }).n])).toEqual([
          [1, 1],
          [2, 20],
          [3, 30],
        ]);
        expect(await ledger.streamVersion('s')).toBe(3);
        const all = (await ledger.readAll()).map((e) => (e.data as { n: number }).n);
        expect(all.sort((x, y) => x - y)).toEqual([1, 9, 20, 30]);
        // and it goes on from there as any stream does
        await ledger.append('s', [{ type: 'T', data: { n: 40 } }], { expectedVersion: 3 });
        expect(await ledger.streamVersion('s')).toBe(4);
      } finally {
        await driver.close?.();
      }
    });

    it('appends a batch to several streams in one transaction, all or none', async () => {
      const driver = await harness.replica()();
      try {
        const ledger = driver.ledger;
        if (ledger.appendBatch === undefined) return; // optional: sync then writes run by run
        const batch = ledger.appendBatch.bind(ledger);
        await ledger.append('a', [{ type: 'T', data: { n: 1 } }]);
        const results = await batch([
          {
            streamId: 'a',
            events: [{ type: 'T', data: { n: 2 } }],
            options: { expectedVersion: 1 },
          },
          {
            streamId: 'b',
            events: [
              { type: 'T', data: { n: 3 } },
              { type: 'T', data: { n: 4 } },
            ],
          },
          {
            streamId: 'a',
            events: [{ type: 'T', data: { n: 5 } }],
            options: { expectedVersion: 2 },
          },
        ]);
        expect(results.map((r) => [r.streamId, r.version, r.position])).toEqual([
          ['a', 2, 2],
          ['b', 2, 4],
          ['a', 3, 5],
        ]);
        const before = await ledger.readAll();
        const refused = await Promise.resolve()
          .then(() =>
            batch([
              { streamId: 'c', events: [{ type: 'T', data: { n: 6 } }] },
              {
                streamId: 'a',
                events: [{ type: 'T', data: { n: 7 } }],
                options: { expectedVersion: 1 },
              },
            ]),
          )
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        expect(refused).toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
        expect(await ledger.readAll()).toEqual(before);
        expect(await ledger.streamVersion('c')).toBe(0);
      } finally {
        await driver.close?.();
      }
    });

    it('pushes commits made offline, and another replica pulls them into its perspectives', async () => {
      const remote = await harness.remote();
      const a = await client(harness.replica(), remote);
      const b = await client(harness.replica(), remote);
      await a.app.send(OpenAccount({ accountId: 'acc', owner: 'Ada' }));
      await a.app.send(Deposit({ accountId: 'acc', amount: 40 }));
      expect((await a.sync.pending()).map((p) => p.command?.type)).toEqual([
        'OpenAccount',
        'Deposit',
      ]);
      expect(await remote.headPosition()).toBe(0);

      const pushed = await a.sync.run();
      expect(pushed).toMatchObject({ pushed: 2, pulled: 0, conflicts: 0 });
      expect(await a.sync.pending()).toEqual([]);
      expect(await a.sync.cursor()).toBe(2);

      const pulled = await b.sync.run();
      expect(pulled).toMatchObject({ pulled: 2, pushed: 0 });
      expect(await balance(b)).toBe(40);
      expect(await b.sync.pending()).toEqual([]);
      // b decides on what it pulled
      await b.app.send(Withdraw({ accountId: 'acc', amount: 15 }));
      expect(await b.sync.run()).toMatchObject({ pushed: 1 });
      expect(await a.sync.run()).toMatchObject({ pulled: 1 });
      expect(await balance(a)).toBe(25);
      expect(await streamsOf(a.app.ledger)).toEqual(await streamsOf(remote));
      expect(await streamsOf(b.app.ledger)).toEqual(await streamsOf(remote));
    });

    it('decides a displaced command again on the new state and keeps it when the receptor agrees', async () => {
      const { remote, a, b } = await twoWithAccount();
      await a.app.send(Deposit({ accountId: 'acc', amount: 50 }));
      await b.app.send(Deposit({ accountId: 'acc', amount: 30 }));
      expect(await balance(b)).toBe(130); // b's own view while offline
      await a.sync.run();
      const report = await b.sync.run();
      expect(report).toMatchObject({ pulled: 1, redecided: 1, pushed: 1, conflicts: 0 });
      await a.sync.run();
      expect(await balance(a)).toBe(180);
      expect(await balance(b)).toBe(180);
      const events = (await remote.readStream('account-acc')).map((e) => e.type);
      expect(events).toEqual([
        'AccountOpened',
        'MoneyDeposited',
        'MoneyDeposited',
        'MoneyDeposited',
      ]);
      expect(await streamsOf(a.app.ledger)).toEqual(await streamsOf(remote));
      expect(await streamsOf(b.app.ledger)).toEqual(await streamsOf(remote));
      expect(b.conflicts).toEqual([]);
    });

    it('takes another writer’s commits to one stream that come in several runs of the log', async () => {
      const { remote, a, b } = await twoWithAccount();
      await a.app.send(OpenAccount({ accountId: 'other', owner: 'Bo' }));
      await a.sync.run();
      await b.sync.run();
      await a.app.send(Deposit({ accountId: 'acc', amount: 1 }));
      await a.app.send(Deposit({ accountId: 'other', amount: 2 }));
      await a.app.send(Deposit({ accountId: 'acc', amount: 3 }));
      await b.app.send(Deposit({ accountId: 'acc', amount: 4 }));
      await b.app.send(Deposit({ accountId: 'other', amount: 5 }));
      await a.sync.run();
      expect(await b.sync.run()).toMatchObject({ pulled: 3, redecided: 2, pushed: 2 });
      await a.sync.run();
      for (const c of [a, b]) {
        expect(await balance(c)).toBe(108);
        expect((await c.app.lens(accounts).get('other'))?.balance).toBe(7);
        expect(await streamsOf(c.app.ledger)).toEqual(await streamsOf(remote));
      }
    });

    it('reports a conflict when the receptor refuses on the new state, and keeps nothing of it', async () => {
      const { remote, a, b } = await twoWithAccount();
      await a.app.send(Withdraw({ accountId: 'acc', amount: 80 }));
      await b.app.send(Withdraw({ accountId: 'acc', amount: 70 }));
      await a.sync.run();
      const report = await b.sync.run();
      expect(report).toMatchObject({ pulled: 1, redecided: 0, pushed: 0, conflicts: 1 });
      expect(b.conflicts).toHaveLength(1);
      const conflict = b.conflicts[0]!;
      expect(conflict).toMatchObject({
        streamId: 'account-acc',
        command: { type: 'Withdraw', data: { accountId: 'acc', amount: 70 } },
        remoteVersion: 3,
      });
      expect(conflict.message).toMatch(/overdraft/);
      expect(await b.sync.conflicts.get(conflict.id)).toEqual(conflict);
      expect(await b.sync.conflicts.query({ where: { streamId: 'account-acc' } })).toHaveLength(1);
      expect(await b.sync.pending()).toEqual([]);
      expect(await balance(b)).toBe(20);
      expect(await balance(a)).toBe(20);
      expect(await streamsOf(b.app.ledger)).toEqual(await streamsOf(remote));
      await b.sync.dismiss(conflict.id);
      expect(await b.sync.conflicts.query()).toEqual([]);
    });

    it('does not send a displaced command’s cascade again: a transfer redecided deposits once', async () => {
      const { remote, a, b } = await twoWithAccount();
      await a.app.send(OpenAccount({ accountId: 'dst', owner: 'Bo' }));
      await a.sync.run();
      await b.sync.run();
      await a.app.send(Deposit({ accountId: 'acc', amount: 5 }));
      await b.app.send(Transfer({ transferId: 't1', from: 'acc', to: 'dst', amount: 60 }));
      await a.sync.run();
      await b.sync.run();
      await a.sync.run();
      for (const c of [a, b]) {
        expect(await balance(c)).toBe(45);
        expect((await c.app.lens(accounts).get('dst'))?.balance).toBe(60);
        expect((await c.app.lens(transfers).get('t1'))?.status).toBe('completed');
        expect(await streamsOf(c.app.ledger)).toEqual(await streamsOf(remote));
      }
      const deposits = (await remote.readStream('account-dst')).filter(
        (e) => e.type === 'MoneyDeposited',
      );
      expect(deposits).toHaveLength(1);
    });

    it('finds its own commit in the shared log when a push landed but its answer was lost', async () => {
      const shared = await harness.remote();
      let lose = true;
      const lossy = afterAppend(shared, () => {
        if (lose) {
          lose = false;
          throw new Error('connection lost before the answer');
        }
      });
      const a = await client(harness.replica(), lossy);
      await a.app.send(OpenAccount({ accountId: 'acc', owner: 'Ada' }));
      await expect(a.sync.run()).rejects.toThrow(/connection lost/);
      expect(await a.sync.pending()).toHaveLength(1);
      const report = await a.sync.run();
      expect(report).toMatchObject({ confirmed: 1, pushed: 0, pulled: 0 });
      expect(await a.sync.pending()).toEqual([]);
      expect(await shared.headPosition()).toBe(1);
      expect(await streamsOf(a.app.ledger)).toEqual(await streamsOf(shared));
    });

    it('keeps pending commits across a restart and syncs them afterwards', async () => {
      const remote = await harness.remote();
      const openA = harness.replica();
      const a = await client(openA, remote);
      await a.app.send(OpenAccount({ accountId: 'acc', owner: 'Ada' }));
      await a.app.send(Deposit({ accountId: 'acc', amount: 10 }));
      await a.close();
      const again = await client(openA, remote);
      expect(await again.sync.pending()).toHaveLength(2);
      expect(await again.sync.run()).toMatchObject({ pushed: 2 });
      expect(await streamsOf(again.app.ledger)).toEqual(await streamsOf(remote));
    });

    it('re-appends published events that expected any version, and reports those that expected one', async () => {
      const { remote, a, b } = await twoWithAccount();
      const Note = { kind: 'event', type: 'Noted', data: { text: '' } } as const;
      await a.app.publish({ ...Note, data: { text: 'a' } }, { stream: 'notes' });
      await a.app.publish({ ...Note, data: { text: 'a2' } }, { stream: 'strict' });
      await b.app.publish({ ...Note, data: { text: 'b' } }, { stream: 'notes' });
      await b.app.publish(
        { ...Note, data: { text: 'b2' } },
        { stream: 'strict', expectedVersion: 0 },
      );
      await a.sync.run();
      const report = await b.sync.run();
      expect(report).toMatchObject({ redecided: 1, conflicts: 1, pushed: 1 });
      expect(b.conflicts[0]).toMatchObject({
        streamId: 'strict',
        code: 'CONCURRENCY_CONFLICT',
        events: [{ type: 'Noted', data: { text: 'b2' } }],
      });
      await a.sync.run();
      expect((await remote.readStream('notes')).map((e) => e.data)).toEqual([
        { text: 'a' },
        { text: 'b' },
      ]);
      expect(await streamsOf(a.app.ledger)).toEqual(await streamsOf(remote));
      expect(await streamsOf(b.app.ledger)).toEqual(await streamsOf(remote));
    });

    it('converges many replicas writing the same streams in random order', async () => {
      const remote = await harness.remote();
      const clients = [
        await client(harness.replica(), remote),
        await client(harness.replica(), remote),
        await client(harness.replica(), remote),
      ];
      await clients[0]!.app.send(
        OpenAccount({ accountId: 'acc', owner: 'Ada', overdraftLimit: 0 }),
      );
      await clients[0]!.app.send(Deposit({ accountId: 'acc', amount: 100 }));
      for (const c of clients) await c.sync.run();
      let seed = 7;
      const rand = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return Math.floor(seed / 65536) % n;
      };
      let refused = 0;
      for (let step = 0; step < 30; step++) {
        const c = clients[rand(clients.length)]!;
        try {
          await c.app.send(
            rand(2) === 0
              ? Deposit({ accountId: 'acc', amount: 1 + rand(20) })
              : Withdraw({ accountId: 'acc', amount: 1 + rand(60) }),
          );
        } catch (error) {
          if (!(error instanceof BankError)) throw error;
          refused++;
        }
        if (rand(3) === 0) await clients[rand(clients.length)]!.sync.run();
      }
      for (let i = 0; i < 2; i++) for (const c of clients) await c.sync.run();
      const truth = await streamsOf(remote);
      // the shared log's balance never went below zero: every withdrawal was decided on it
      let running = 0;
      for (const e of (await remote.readStream('account-acc')) as RecordedEvent[]) {
        const amount = (e.data as { amount?: number }).amount ?? 0;
        if (e.type === 'MoneyDeposited') running += amount;
        if (e.type === 'MoneyWithdrawn') running -= amount;
        expect(running).toBeGreaterThanOrEqual(0);
      }
      for (const c of clients) {
        expect(await streamsOf(c.app.ledger)).toEqual(truth);
        expect(await balance(c)).toBe(running);
        expect(await c.sync.pending()).toEqual([]);
      }
      // the run exercised refusals: locally, or as conflicts when decided again
      expect(refused + clients.reduce((n, c) => n + c.conflicts.length, 0)).toBeGreaterThan(0);
    });
  });
}
