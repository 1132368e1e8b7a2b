// @runtimes node deno bun

import { afterEach, describe, expect, it } from 'vitest';
import { accounts, OpenAccount, Transfer, transfers } from '../../examples/bank/domain.ts';
import {
  ApproveTransfer,
  createSagaBank,
  createTransferSaga,
  type TransferProgress,
  transferSaga,
} from '../../examples/bank/transfer-saga.ts';
import {
  type Driver,
  defineCommand,
  defineEvent,
  defineReceptor,
  isWhizbangError,
  memoryDriver,
  payload,
  type RecordedEvent,
  whizbang,
} from '../../js/mod.ts';
import {
  defineSaga,
  type Saga,
  type SagaSteppedData,
  type SagaTimeouts,
  withSaga,
} from '../../js/saga/mod.ts';
import { asyncDriver } from '../support/async-driver.ts';

const drivers: Array<[string, () => Driver]> = [
  ['memory', () => memoryDriver()],
  ['async', () => asyncDriver(memoryDriver())],
];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

const runners: SagaTimeouts[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

type Bank = ReturnType<typeof createSagaBank>;

async function openBank(
  driver: Driver,
  saga: Saga<TransferProgress> = transferSaga,
): Promise<Bank> {
  const bank = createSagaBank({ driver, saga });
  await bank.send(OpenAccount({ accountId: 'ada', owner: 'Ada', overdraftLimit: 5000 }));
  await bank.send(OpenAccount({ accountId: 'bob', owner: 'Bob' }));
  return bank;
}

const balance = async (bank: Bank, id: string): Promise<number | undefined> =>
  (await bank.lens(accounts).get(id))?.balance;
const status = async (bank: Bank, id: string) => await bank.lens(transfers).get(id);
const steps = async (bank: Bank, saga: Saga<any>, id: string): Promise<RecordedEvent[]> =>
  await bank.ledger.readStream(saga.streamId(id));
const typesOf = (events: readonly RecordedEvent[]): string[] => events.map((e) => e.type);

describe.each(drivers)('the transfer saga (%s driver)', (_name, makeDriver) => {
  it('succeeds: debit, credit, complete, each step recorded on the saga stream', async () => {
    const bank = await openBank(makeDriver());
    await bank.send(Transfer({ transferId: 't-1', from: 'ada', to: 'bob', amount: 100 }));

    expect(await balance(bank, 'ada')).toBe(-100);
    expect(await balance(bank, 'bob')).toBe(100);
    expect(await status(bank, 't-1')).toMatchObject({ status: 'completed', amount: 100 });
    const saga = await transferSaga.read(bank, 't-1');
    expect(saga).toMatchObject({ completed: true, version: 4, timeout: undefined, undo: [] });
    expect(saga?.state).toMatchObject({ status: 'completed', from: 'ada', to: 'bob' });
    const recorded = await steps(bank, transferSaga, 't-1');
    expect(recorded.map((e) => (e.data as SagaSteppedData).event.type)).toEqual([
      'TransferRequested',
      'MoneyWithdrawn',
      'MoneyDeposited',
      'TransferCompleted',
    ]);
    expect((recorded[1]!.data as SagaSteppedData).sent).toEqual([
      {
        kind: 'command',
        type: 'CreditAccount',
        data: { accountId: 'bob', amount: 100, transferId: 't-1' },
      },
    ]);
  });

  it('fails with no money moved when the debit is declined', async () => {
    const bank = await openBank(makeDriver());
    await bank.send(Transfer({ transferId: 't-2', from: 'bob', to: 'ada', amount: 50 }));

    expect(await balance(bank, 'ada')).toBe(0);
    expect(await balance(bank, 'bob')).toBe(0);
    expect(await status(bank, 't-2')).toMatchObject({
      status: 'failed',
      reason: 'account bob would go below its overdraft limit of 0',
    });
    const all = typesOf(await bank.ledger.readAll());
    expect(all).not.toContain('MoneyWithdrawn');
    expect(all).not.toContain('MoneyDeposited');
    expect(await transferSaga.read(bank, 't-2')).toMatchObject({ completed: true });
  });

  it('compensates a failed credit by refunding the source, then fails', async () => {
    const bank = await openBank(makeDriver());
    await bank.send(Transfer({ transferId: 't-3', from: 'ada', to: 'zed', amount: 70 }));

    expect(await balance(bank, 'ada')).toBe(0); // debited, then refunded
    expect(await bank.lens(accounts).get('ada')).toMatchObject({ movements: 2 });
    expect(await status(bank, 't-3')).toMatchObject({
      status: 'failed',
      reason: 'account zed is not open; refunded ada',
    });
    const money = (await bank.ledger.readAll()).filter((e) =>
      ['MoneyWithdrawn', 'CreditDeclined', 'MoneyDeposited'].includes(e.type),
    );
    expect(money.map((e) => [e.type, (e.data as { accountId: string }).accountId])).toEqual([
      ['MoneyWithdrawn', 'ada'],
      ['CreditDeclined', 'zed'],
      ['MoneyDeposited', 'ada'],
    ]);
    const compensating = (await steps(bank, transferSaga, 't-3'))
      .map((e) => e.data as SagaSteppedData)
      .find((d) => d.compensated && d.event.type === 'CreditDeclined');
    expect(compensating?.sent.map((c) => c.type)).toEqual(['Deposit', 'FailTransfer']);
    expect(compensating?.sent[0]?.data).toEqual({
      accountId: 'ada',
      amount: 70,
      transferId: 't-3',
    });
    expect(await transferSaga.read(bank, 't-3')).toMatchObject({ completed: true, undo: [] });
  });

  it('sends the timeout command when an approval never comes', async () => {
    const saga = createTransferSaga({ approvalLimit: 1000, approvalTimeoutMs: 100 });
    const bank = await openBank(makeDriver(), saga);
    const timeouts = saga.runTimeouts(bank);
    runners.push(timeouts);
    await bank.send(Transfer({ transferId: 't-4', from: 'ada', to: 'bob', amount: 2000 }));
    await timeouts.settled();
    expect(timeouts.pending).toBe(1);
    expect(await status(bank, 't-4')).toMatchObject({ status: 'requested' });

    await until(async () => (await status(bank, 't-4'))?.status === 'failed');
    await timeouts.settled();
    expect(await status(bank, 't-4')).toMatchObject({ reason: 'approval timed out' });
    expect(timeouts.pending).toBe(0);
    expect(typesOf(await steps(bank, saga, 't-4'))).toEqual([
      'SagaStepped',
      'SagaTimedOut',
      'SagaStepped',
    ]);
    expect(await saga.read(bank, 't-4')).toMatchObject({
      completed: true,
      state: { status: 'failed' },
    });

    // A late approval moves no money: the saga is over.
    await bank.send(ApproveTransfer({ transferId: 't-4' }));
    expect(await balance(bank, 'ada')).toBe(0);
    expect(await saga.read(bank, 't-4')).toMatchObject({ version: 3 });
  });

  it('cancels the timeout when the saga moves on, and clears it on completion', async () => {
    const saga = createTransferSaga({ approvalLimit: 1000, approvalTimeoutMs: 200 });
    const bank = await openBank(makeDriver(), saga);
    const timeouts = saga.runTimeouts(bank);
    runners.push(timeouts);
    await bank.send(Transfer({ transferId: 't-5', from: 'ada', to: 'bob', amount: 1500 }));
    await timeouts.settled();
    expect(timeouts.pending).toBe(1);
    expect((await saga.read(bank, 't-5'))?.timeout).toMatchObject({
      step: 1,
      command: { type: 'FailTransfer' },
    });

    await bank.send(ApproveTransfer({ transferId: 't-5' }));
    await timeouts.settled();
    expect(timeouts.pending).toBe(0);
    await sleep(250);
    await timeouts.settled();
    expect(await status(bank, 't-5')).toMatchObject({ status: 'completed' });
    expect(typesOf(await steps(bank, saga, 't-5'))).not.toContain('SagaTimedOut');
    expect(await balance(bank, 'bob')).toBe(1500);
  });

  it('handles a redelivered event once (same message id)', async () => {
    const bank = await openBank(makeDriver());
    const requested = {
      kind: 'event',
      type: 'TransferRequested',
      data: { transferId: 't-6', from: 'ada', to: 'bob', amount: 5000 }, // waits for approval
    } as const;
    const options = { stream: 'transfer-t-6', messageId: '0190a000-0000-7000-8000-000000000006' };
    await bank.publish(requested, options);
    await bank.publish(requested, options);
    // Two deliveries at once: one decides, the other retries on the new version and skips.
    await Promise.all([bank.publish(requested, options), bank.publish(requested, options)]);

    const all = typesOf(await bank.ledger.readAll());
    expect(all.filter((t) => t === 'TransferRequested')).toHaveLength(4);
    expect(all.filter((t) => t === 'ApprovalRequested')).toHaveLength(1);
    expect(await transferSaga.read(bank, 't-6')).toMatchObject({
      version: 1,
      state: { status: 'awaiting-approval' },
    });
  });

  it('shares the correlation id across the whole saga, timeouts included', async () => {
    const saga = createTransferSaga({ approvalLimit: 100, approvalTimeoutMs: 10 });
    const bank = await openBank(makeDriver(), saga);
    const timeouts = saga.runTimeouts(bank);
    runners.push(timeouts);
    const head = await bank.ledger.headPosition();
    const ok = await bank.send(Transfer({ transferId: 't-7', from: 'ada', to: 'zed', amount: 10 }));
    const slow = await bank.send(
      Transfer({ transferId: 't-8', from: 'ada', to: 'bob', amount: 500 }),
    );
    await until(async () => (await saga.read(bank, 't-8'))?.completed === true);
    await timeouts.settled();

    const byTransfer = new Map<string, Set<string>>();
    for (const e of await bank.ledger.readAll({ from: head + 1 })) {
      const id = JSON.stringify(e.data).includes('t-7') ? 't-7' : 't-8';
      byTransfer.set(id, (byTransfer.get(id) ?? new Set()).add(e.correlationId));
    }
    expect([...byTransfer.get('t-7')!]).toEqual([ok.correlationId]);
    expect([...byTransfer.get('t-8')!]).toEqual([slow.correlationId]);
    expect(typesOf(await steps(bank, saga, 't-8'))).toContain('SagaTimedOut');
    expect((await saga.read(bank, 't-7'))?.correlationId).toBe(ok.correlationId);
  });
});

describe('a saga rebuilt from its stream', () => {
  it('continues in a second app on the same driver', async () => {
    const driver = memoryDriver();
    const first = await openBank(driver);
    await first.send(Transfer({ transferId: 't-9', from: 'ada', to: 'bob', amount: 4000 }));
    const before = await transferSaga.read(first, 't-9');
    expect(before).toMatchObject({ completed: false, state: { status: 'awaiting-approval' } });

    const second = createSagaBank({ driver });
    expect(await transferSaga.read(second, 't-9')).toEqual(before);
    await second.send(ApproveTransfer({ transferId: 't-9' }), {
      correlationId: before!.correlationId,
    });
    expect(await balance(second, 'bob')).toBe(4000);
    const after = await transferSaga.read(second, 't-9');
    expect(after).toMatchObject({ completed: true, version: 5, state: { status: 'completed' } });
    const recorded = await steps(second, transferSaga, 't-9');
    expect(recorded.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(recorded.map((e) => e.correlationId))).toEqual(new Set([before!.correlationId]));
    // The first app sees the same saga (its cached state is stale; the stream is not).
    expect(await transferSaga.read(first, 't-9')).toEqual(after);
    await second.send(ApproveTransfer({ transferId: 't-9' }));
    expect(await balance(first, 'bob')).toBe(4000);
  });

  it('re-arms pending timeouts from the ledger when asked to ({ from: 1 })', async () => {
    const driver = memoryDriver();
    const saga = createTransferSaga({ approvalLimit: 10, approvalTimeoutMs: 20 });
    const first = await openBank(driver, saga);
    await first.send(Transfer({ transferId: 't-10', from: 'ada', to: 'bob', amount: 50 }));
    await sleep(30); // nothing runs the first app's timeouts: they are overdue

    const second = createSagaBank({ driver, saga });
    const live = saga.runTimeouts(second); // from the head: sees nothing older
    runners.push(live);
    await live.settled();
    expect(live.pending).toBe(0);
    const rearmed = saga.runTimeouts(second, { from: 1 });
    runners.push(rearmed);
    await until(async () => (await status(second, 't-10'))?.status === 'failed');
    await rearmed.settled();
    expect(await status(second, 't-10')).toMatchObject({ reason: 'approval timed out' });
  });
});

describe('defineSaga', () => {
  const Ticked = defineEvent('Ticked', payload<{ clock: string; n: number }>());
  const Stopped = defineEvent('Stopped', payload<{ clock: string }>());
  const Note = defineCommand('Note', payload<{ text: string }>());
  const Noted = defineEvent('Noted', payload<{ text: string }>());
  const note = defineReceptor({
    command: Note,
    stream: () => 'notes',
    handle: (c) => Noted(c.data),
  });
  const clock = defineSaga({
    name: 'clock',
    initial: () => ({ total: 0 }),
    startedBy: Ticked,
    handles: [Stopped],
    correlate: (e) => e.data.clock,
    on: {
      Ticked: (s, e, ctx) => ({
        state: { total: s.total + e.data.n },
        undo: Note({ text: `undo ${e.data.n}${ctx.started ? '' : ' (first)'}` }),
      }),
      Stopped: () => ({ compensate: true, complete: true }),
    },
  });
  const app = () => withSaga(whizbang('clocks').receptor(note), clock).build();
  const tick = (clock: string, n: number, messageId?: string) =>
    [
      Ticked({ clock, n }),
      messageId === undefined ? { stream: 'ticks' } : { stream: 'ticks', messageId },
    ] as const;

  it('folds state, skips duplicates, and compensates newest first', async () => {
    const a = app();
    await a.publish(...tick('c', 1, '0190a000-0000-7000-8000-0000000000c1'));
    await a.publish(...tick('c', 2));
    await a.publish(...tick('c', 1, '0190a000-0000-7000-8000-0000000000c1'));
    expect(await clock.read(a, 'c')).toMatchObject({ state: { total: 3 }, version: 2 });
    await a.publish(Stopped({ clock: 'c' }), { stream: 'ticks' });
    await a.publish(...tick('c', 5)); // after completion: ignored
    const notes = (await a.ledger.readStream('notes')).map(
      (e) => (e.data as { text: string }).text,
    );
    expect(notes).toEqual(['undo 2', 'undo 1 (first)']);
    expect(await clock.read(a, 'c')).toMatchObject({ completed: true, state: { total: 3 } });
    expect(await clock.read(a, 'other')).toBeUndefined();
  });

  it('ignores events of a saga that has not started, and events of none', async () => {
    const a = app();
    await a.publish(Stopped({ clock: 'never' }), { stream: 'ticks' });
    expect(await a.ledger.streamVersion(clock.streamId('never'))).toBe(0);
    const loose = defineSaga({
      name: 'loose',
      initial: () => 0,
      startedBy: Ticked,
      correlate: (e) => (e.data.n > 0 ? e.data.clock : undefined),
      on: { Ticked: (s) => ({ state: s + 1 }) },
    });
    const b = withSaga(whizbang('b'), loose).build();
    await b.publish(...tick('x', 0));
    expect(await b.ledger.headPosition()).toBe(1);
  });

  it('reports a failing timeout command to onError, and stops when the app is closed', async () => {
    const Ring = defineCommand('Ring', payload<{ clock: string }>());
    const ring = defineReceptor({
      command: Ring,
      handle: (c) => {
        if (c.data.clock === 'broken') throw new Error('the bell is broken');
      },
    });
    const alarm = defineSaga({
      name: 'alarm',
      initial: () => ({}),
      startedBy: Ticked,
      correlate: (e) => e.data.clock,
      on: {
        Ticked: (_s, e) => ({
          timeout: { afterMs: e.data.n, command: Ring({ clock: e.data.clock }) },
        }),
      },
    });
    const a = withSaga(whizbang('alarms').receptor(ring), alarm).build();
    const errors: unknown[] = [];
    const timeouts = alarm.runTimeouts(a, { onError: (e) => errors.push(e) });
    runners.push(timeouts);
    await a.publish(...tick('broken', 1));
    await until(async () => errors.length > 0);
    expect(isWhizbangError(errors[0], 'HANDLER_FAILED')).toBe(true);
    expect(String(errors[0])).toMatch(/could not send "Ring": the bell is broken/);

    await a.publish(...tick('late', 150));
    await timeouts.settled();
    expect(timeouts.pending).toBe(1);
    await a.close();
    await sleep(200);
    expect(timeouts.pending).toBe(0);
    expect(errors).toHaveLength(1); // the closed app stopped the runner quietly
  });

  it('keeps the builder type and refuses what it cannot run', async () => {
    const builder = whizbang('typed').receptor(note);
    const same: typeof builder = withSaga(builder, clock);
    const a = same.build();
    const internal = { kind: 'command', type: 'Saga:clock:Handle', data: {} } as const;
    // @ts-expect-error the saga's internal commands are not the app's to send
    const sent = a.send(internal);
    await expect(sent).rejects.toThrow();

    expect(() => withSaga(whizbang('twice').receptor(note), clock, clock)).toThrow(
      /already has a receptor/,
    );
    expect(() =>
      defineSaga({
        name: 'bad',
        initial: () => 0,
        startedBy: Ticked,
        correlate: (e) => e.data.clock,
        // @ts-expect-error a handler for every event the saga names
        on: {},
      }),
    ).toThrow(/no handler in `on` for Ticked/);
    const eventful = defineSaga({
      name: 'eventful',
      initial: () => 0,
      startedBy: Ticked,
      correlate: (e) => e.data.clock,
      // @ts-expect-error a saga sends commands, not events
      on: { Ticked: () => ({ send: Noted({ text: 'x' }) }) },
    });
    const b = withSaga(whizbang('b'), eventful).build();
    const error = await b.publish(...tick('e', 1)).catch((e: unknown) => e);
    expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(String(error)).toMatch(/takes commands/);
  });
});
