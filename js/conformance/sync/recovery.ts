/**
 * Sync through the failures a replica meets: an answer lost after a push landed, a restart with
 * commits pending, events published against a version, and many replicas in random order.
 */
import { expect, it } from 'vitest';
import type { RecordedEvent } from '../whizbang.ts';
import { BankError, Deposit, OpenAccount, Withdraw } from './bank.ts';
import type { SyncContext } from './context.ts';
import { afterAppend, streamsOf } from './ledgers.ts';

/** Sync after lost answers and restarts, and under many writers. */
export function recoverySuite({ harness, client, twoWithAccount, balance }: SyncContext): void {
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
    await clients[0]!.app.send(OpenAccount({ accountId: 'acc', owner: 'Ada', overdraftLimit: 0 }));
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
}
