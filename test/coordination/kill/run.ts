/**
 * The multi-instance kill run: three instances of the bank on one store, each killed with SIGKILL
 * at random and started again (under a new instance name) for `killMs`; then quiet, converged,
 * closed, and checked: every event applied once to every async perspective (the models equal a
 * fold of the whole log), one receipt per deposit (the outbox relayed over JetStream, the inbox),
 * one fired timeout per transfer that waited for an approval.
 */
import type { ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import { Deposit, MoneyDeposited, OpenAccount } from '../../../examples/bank/domain.ts';
import type { Driver, RecordedEvent } from '../../../js/mod.ts';
import { startReady } from '../../support/child.ts';
import { bank, ReceiptSent } from './bank.ts';
import type { KillWorkerArgs } from './worker.ts';

const WORKER = new URL('./worker.ts', import.meta.url).pathname;

/** What one run needs. */
export interface KillRun {
  readonly open: () => Promise<Driver>;
  readonly store: KillWorkerArgs['store'];
  readonly nats: string;
  readonly name: string;
  readonly killMs: number;
  readonly seed: number;
}

const ACCOUNTS = 8;

async function everything(driver: Driver): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  const head = await driver.ledger.headPosition();
  for (let from = 1; from <= head; ) {
    const batch = await driver.ledger.readAll({ from, to: head, limit: 5_000 });
    all.push(...batch);
    from = batch.length === 0 ? head + 1 : batch[batch.length - 1]!.position + 1;
  }
  return all;
}

async function eventually(
  check: () => Promise<boolean>,
  ms: number,
  what: () => string,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what()} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Runs the kill test on one store; resolves with what it counted, for the log. */
export async function killRun(run: KillRun): Promise<Record<string, number>> {
  // the accounts, opened and funded before the instances start
  // with the instances' partitions: a runner of the whole perspective beside its partitions
  // would apply its events a second time (every instance must split a perspective alike)
  const setup = bank({
    driver: await run.open(),
    coordinate: { instance: 'setup', partitions: { movements: 2 } },
  });
  for (let i = 0; i < ACCOUNTS; i++) {
    await setup.send(
      OpenAccount({ accountId: `acc-${i}`, owner: `owner ${i}`, overdraftLimit: 50 }),
    );
    await setup.send(Deposit({ accountId: `acc-${i}`, amount: 1_000 }));
  }
  await setup.close();

  let random = run.seed >>> 0 || 7;
  const next = (n: number): number => {
    random = (Math.imul(random, 1_103_515_245) + 12_345) >>> 0;
    return random % n;
  };
  let generation = 0;
  const start = (slot: number): Promise<ChildProcess> => {
    const args: KillWorkerArgs = {
      instance: `node-${slot}-${++generation}`,
      store: run.store,
      nats: run.nats,
      stream: `${run.name}_BUS`,
      topic: run.name,
      accounts: ACCOUNTS,
      seed: run.seed * 31 + generation,
    };
    return startReady(WORKER, [JSON.stringify(args)]);
  };
  const workers = await Promise.all([0, 1, 2].map(start));
  let kills = 0;
  const until = Date.now() + run.killMs;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 500 + next(1_000)));
    const slot = next(3);
    workers[slot]!.kill('SIGKILL');
    kills++;
    await new Promise((resolve) => setTimeout(resolve, next(400)));
    workers[slot] = await start(slot);
  }
  for (const w of workers) w.stdin!.write('quiet\n');

  const driver = await run.open();
  let state = '';
  try {
    await eventually(
      async () => {
        const events = await everything(driver);
        const head = events.length === 0 ? 0 : events[events.length - 1]!.position;
        const checkpoints = await Promise.all(
          ['totals', 'movements#1/2', 'movements#2/2', 'whizbang-schedules-saga-transfer'].map(
            (p) => driver.store.checkpoint(p),
          ),
        );
        const deposits = events.filter((e) => e.type === MoneyDeposited.type).length;
        const receipts = events.filter((e) => e.type === ReceiptSent.type).length;
        // every saga timeout fired (a transfer whose process died before its saga started is
        // left requested: an in-process handler's cascade, not background work)
        const open = (await driver.store.query('whizbang-schedules-saga-transfer', 'default', {}))
          .length;
        const { outbox } = await driver.store.outbox!.counts();
        state = JSON.stringify({ head, checkpoints, deposits, receipts, open, outbox });
        return (
          checkpoints.every((c) => c === head) &&
          deposits === receipts &&
          open === 0 &&
          outbox === 0
        );
      },
      60_000,
      () => `no convergence after the kills: ${state}`,
    );
    for (const w of workers) w.stdin!.write('exit\n');
    await Promise.all(
      workers.map(
        (w) =>
          new Promise((resolve) => (w.exitCode === null ? w.once('exit', resolve) : resolve(0))),
      ),
    );
    const events = await everything(driver);
    return await verify(driver, events, kills);
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await driver.close?.();
  }
}

async function verify(
  driver: Driver,
  events: readonly RecordedEvent[],
  kills: number,
): Promise<Record<string, number>> {
  // every async perspective: the stored models equal a fold of the whole log
  const totals = { accounts: 0, deposited: 0, withdrawn: 0 };
  const movements = new Map<string, { deposits: number; withdrawals: number; net: number }>();
  for (const e of events) {
    const data = e.data as { accountId: string; amount: number };
    if (e.type === 'AccountOpened') totals.accounts++;
    if (e.type !== 'MoneyDeposited' && e.type !== 'MoneyWithdrawn') continue;
    const m = movements.get(data.accountId) ?? { deposits: 0, withdrawals: 0, net: 0 };
    if (e.type === 'MoneyDeposited') {
      totals.deposited += data.amount;
      movements.set(data.accountId, { ...m, deposits: m.deposits + 1, net: m.net + data.amount });
    } else {
      totals.withdrawn += data.amount;
      movements.set(data.accountId, {
        ...m,
        withdrawals: m.withdrawals + 1,
        net: m.net - data.amount,
      });
    }
  }
  expect((await driver.store.get('totals', 'default', 'bank'))?.model).toEqual(totals);
  const stored = await driver.store.query('movements', 'default', {});
  expect(Object.fromEntries(stored.map((r) => [r.id, r.model]))).toEqual(
    Object.fromEntries(movements),
  );
  // every relayed deposit handled once by the mailer
  const receipts = new Map<string, number>();
  for (const e of events) {
    if (e.type !== ReceiptSent.type) continue;
    const id = (e.data as { depositId: string }).depositId;
    receipts.set(id, (receipts.get(id) ?? 0) + 1);
  }
  const deposits = events.filter((e) => e.type === MoneyDeposited.type);
  expect(deposits.filter((d) => receipts.get(d.messageId) !== 1)).toEqual([]);
  expect(receipts.size).toBe(deposits.length);
  // every transfer that waited for an approval timed out exactly once
  const timedOut = new Map<string, number>();
  for (const e of events) {
    if (e.type !== 'SagaTimedOut') continue;
    timedOut.set(e.streamId, (timedOut.get(e.streamId) ?? 0) + 1);
  }
  // the transfers whose saga recorded a step that waits for an approval
  const waited = [
    ...new Set(
      events
        .filter(
          (e) =>
            e.type === 'SagaStepped' &&
            (e.data as { saga: string; timeout: unknown }).saga === 'transfer' &&
            (e.data as { timeout: unknown }).timeout !== null,
        )
        .map((e) => e.streamId),
    ),
  ];
  expect(waited.filter((s) => timedOut.get(s) !== 1)).toEqual([]);
  expect([...timedOut.values()].every((n) => n === 1)).toBe(true);
  return { events: events.length, kills, deposits: deposits.length, timeouts: waited.length };
}
