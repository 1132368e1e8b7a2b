/**
 * Replicas that sync: commits made offline are pushed and pulled, a displaced command is decided
 * again on the new state (kept, or reported as a conflict), and its cascade does not run twice.
 */
import { expect, it } from 'vitest';
import { accounts, Deposit, OpenAccount, Transfer, transfers, Withdraw } from './bank.ts';
import type { SyncContext } from './context.ts';
import { streamsOf } from './ledgers.ts';

/** Pushing, pulling and deciding again between two replicas. */
export function exchangeSuite({ harness, client, twoWithAccount, balance }: SyncContext): void {
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
    expect(events).toEqual(['AccountOpened', 'MoneyDeposited', 'MoneyDeposited', 'MoneyDeposited']);
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
}
