/**
 * Sync under ordinary concurrency: a stream's pending commits never land on a state they were not
 * decided on (a refusal decides every later one of the stream again), a round keeps a consistent
 * view while local commands arrive, and a replica knows its own landed commits by their ids.
 */
import { expect, it } from 'vitest';
import type { OfflineDriver } from '../../sync/mod.ts';
import type { Ledger, RecordedEvent } from '../whizbang.ts';
import { Deposit, OpenAccount, Withdraw } from './bank.ts';
import type { Client, SyncContext } from './context.ts';
import { afterAppend, duringRead, streamsOf } from './ledgers.ts';

/** The balances an account goes through in the shared log, by its events in version order. */
async function balancesOf(remote: Ledger, accountId: string): Promise<number[]> {
  const events: RecordedEvent[] = await remote.readStream(`account-${accountId}`);
  const out: number[] = [];
  let balance = 0;
  for (const e of events) {
    const amount = (e.data as { amount?: number }).amount ?? 0;
    if (e.type === 'MoneyDeposited') balance += amount;
    if (e.type === 'MoneyWithdrawn') balance -= amount;
    out.push(balance);
  }
  return out;
}

/** Rounds on every client until none pushes, pulls or decides anything. */
async function quiet(clients: readonly Client[]): Promise<void> {
  for (let i = 0; i < 20; i++) {
    let moved = 0;
    for (const c of clients) {
      const r = await c.sync.run();
      moved += r.pulled + r.pushed + r.confirmed + r.redecided + r.conflicts;
    }
    if (moved === 0) return;
  }
  throw new Error('sync never went quiet');
}

/** The concurrency tests of the sync suite. */
export function concurrencySuite({ harness, client, twoWithAccount, balance }: SyncContext): void {
  it('a refused push decides every later pending commit of its stream again: none lands on a state it was not decided on', async () => {
    const remote = await harness.remote();
    const a = await client(harness.replica(), remote);
    const b = await client(harness.replica(), remote);
    await a.app.send(OpenAccount({ accountId: 'z', owner: 'Zoe' }));
    await a.sync.run();
    await b.sync.run();
    // b, offline: +34 then -30 (decided on the +34); a: +5
    await b.app.send(Deposit({ accountId: 'z', amount: 34 }));
    await b.app.send(Withdraw({ accountId: 'z', amount: 30 }));
    await a.app.send(Deposit({ accountId: 'z', amount: 5 }));
    await Promise.all([a.sync.run(), b.sync.run()]);
    await quiet([a, b]);
    const balances = await balancesOf(remote, 'z');
    expect(Math.min(...balances)).toBeGreaterThanOrEqual(0);
    expect(balances[balances.length - 1]).toBe(9);
    expect(await b.sync.pending()).toEqual([]);
    expect(b.conflicts).toEqual([]);
    expect(await streamsOf(a.app.ledger)).toEqual(await streamsOf(remote));
    expect(await streamsOf(b.app.ledger)).toEqual(await streamsOf(remote));
  });

  it('a local command sent while a round pulls neither breaks the round nor is lost', async () => {
    const shared = await harness.remote();
    const hook: { current?: (() => Promise<void>) | undefined } = {};
    const a = await client(harness.replica(), shared);
    const b = await client(harness.replica(), duringRead(shared, hook));
    await a.app.send(OpenAccount({ accountId: 'acc', owner: 'Ada' }));
    await a.sync.run();
    await b.sync.run();
    for (let i = 1; i <= 5; i++) await a.app.send(Deposit({ accountId: 'acc', amount: i }));
    await a.sync.run();
    await b.app.send(Deposit({ accountId: 'acc', amount: 100 }));
    // b's round pulls a's deposits while b decides again on the same account
    hook.current = async () => {
      await b.app.send(Deposit({ accountId: 'acc', amount: 1000 }));
    };
    await b.sync.run();
    await quiet([a, b]);
    const balances = await balancesOf(shared, 'acc');
    expect(balances[balances.length - 1]).toBe(15 + 100 + 1000);
    expect(await b.sync.pending()).toEqual([]);
    expect(await streamsOf(b.app.ledger)).toEqual(await streamsOf(shared));
  });

  it('after a push whose answer was lost, with a local command on the stream as the next round pulls, its own commit is found by id and lands once', async () => {
    const shared = await harness.remote();
    let lose = false;
    const lossy = afterAppend(shared, () => {
      if (lose) {
        lose = false;
        throw new Error('connection lost before the answer');
      }
    });
    const hook: { current?: (() => Promise<void>) | undefined } = {};
    const a = await client(harness.replica(), duringRead(lossy, hook));
    const other = await client(harness.replica(), shared);
    await a.app.send(OpenAccount({ accountId: 'acc', owner: 'Ada' }));
    await a.sync.run();
    await other.sync.run();
    await a.app.send(Deposit({ accountId: 'acc', amount: 100 }));
    lose = true;
    await expect(a.sync.run()).rejects.toThrow(/connection lost/);
    await other.sync.run();
    await other.app.send(Deposit({ accountId: 'acc', amount: 7 }));
    await other.sync.run();
    hook.current = async () => {
      await a.app.send(Deposit({ accountId: 'acc', amount: 1 }));
    };
    await a.sync.run();
    await quiet([a, other]);
    const events = await shared.readStream('account-acc');
    expect(events.filter((e) => (e.data as { amount?: number }).amount === 100)).toHaveLength(1);
    const balances = await balancesOf(shared, 'acc');
    expect(balances[balances.length - 1]).toBe(108);
    expect(await a.sync.pending()).toEqual([]);
    expect(await streamsOf(a.app.ledger)).toEqual(await streamsOf(shared));
  });

  it('a replica that diverged from the log rebuilds the stream from it and decides its pending commands again by itself (REPLICA_DIVERGED, nothing thrown away)', async () => {
    const remote = await harness.remote();
    const a = await client(harness.replica(), remote);
    const b = await client(harness.replica(), remote);
    await a.app.send(OpenAccount({ accountId: 'acc', owner: 'Ada' }));
    await a.sync.run();
    await b.sync.run();
    // b's local ledger holds an event the log never had (restored from elsewhere, say)
    const local = (b.app.replica.driver as OfflineDriver).local.ledger;
    await local.append('account-acc', [
      { type: 'MoneyDeposited', data: { accountId: 'acc', amount: 999 } },
    ]);
    await b.app.send(Deposit({ accountId: 'acc', amount: 50 }));
    await a.app.send(Deposit({ accountId: 'acc', amount: 7 }));
    await a.sync.run();
    const report = await b.sync.run();
    expect(report.redecided).toBe(1);
    await quiet([a, b]);
    const balances = await balancesOf(remote, 'acc');
    expect(balances[balances.length - 1]).toBe(57);
    expect(await b.sync.pending()).toEqual([]);
    expect(b.conflicts).toEqual([]);
    expect(await streamsOf(b.app.ledger)).toEqual(await streamsOf(remote));
    const fold = await balancesOf(b.app.ledger, 'acc');
    expect(await balance(b)).toBe(fold[fold.length - 1]);
  });

  it('a command its receptor refuses on the new state is a conflict with code COMMAND_REFUSED, and each round is announced as it starts', async () => {
    const { a, b } = await twoWithAccount();
    await a.app.send(Withdraw({ accountId: 'acc', amount: 80 }));
    await b.app.send(Withdraw({ accountId: 'acc', amount: 80 }));
    await a.sync.run();
    const report = await b.sync.run();
    expect(report.conflicts).toBe(1);
    expect(b.conflicts[0]).toMatchObject({ code: 'COMMAND_REFUSED', streamId: 'account-acc' });
    expect(await balance(b)).toBe(20);
  });
}
