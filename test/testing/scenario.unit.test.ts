// @runtimes node deno bun
import { describe, expect, it } from 'vitest';
import {
  AccountOpened,
  BankError,
  CompleteTransfer,
  completeTransfer,
  Deposit,
  deposit,
  GetBalance,
  getBalance,
  MoneyDeposited,
  MoneyWithdrawn,
  OpenAccount,
  openAccount,
  Transfer,
  TransferCompleted,
  TransferRequested,
  transfer,
  Withdraw,
  WithdrawalDeclined,
  withdraw,
} from '../../examples/bank/domain.ts';
import {
  defineCommand,
  defineEvent,
  defineReceptor,
  type EventHandler,
  isValidationError,
  isWhizbangError,
  type MessageOf,
  type RecordedEvent,
} from '../../js/mod.ts';
import { isExpectationError, scenario } from '../../js/testing/mod.ts';

const opened = AccountOpened({ accountId: 'a', owner: 'Ada', overdraftLimit: 0 });
const deposited = MoneyDeposited({ accountId: 'a', amount: 100 });

/** The error a promise rejects with (and fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected the expectation to fail, but it passed');
}

// The bank's handler that carries a transfer on after the withdrawal (a step of the transfer saga).
const onWithdrawn: EventHandler<RecordedEvent<MessageOf<typeof MoneyWithdrawn>>> = (e) =>
  e.data.transfer === undefined
    ? undefined
    : Deposit({
        accountId: e.data.transfer.to,
        amount: e.data.amount,
        transferId: e.data.transfer.transferId,
      });

describe('scenario: stateful receptors', () => {
  it('records what the receptor decides on a new stream', async () => {
    await scenario(openAccount)
      .when(OpenAccount({ accountId: 'a', owner: 'Ada' }))
      .then(AccountOpened({ accountId: 'a', owner: 'Ada', overdraftLimit: 0 }));
  });

  it('folds the given events into the state the receptor decides on', async () => {
    await scenario(withdraw)
      .given(opened, deposited)
      .when(Withdraw({ accountId: 'a', amount: 30 }))
      .then(MoneyWithdrawn({ accountId: 'a', amount: 30 }));
    await scenario(deposit)
      .given(opened)
      .when(Deposit({ accountId: 'a', amount: 5 }))
      .then(MoneyDeposited({ accountId: 'a', amount: 5 }));
  });

  it('given adds to earlier given events, and a scenario can be reused', async () => {
    const open = scenario(withdraw).given(opened);
    await open
      .given(deposited)
      .when(Withdraw({ accountId: 'a', amount: 100 }))
      .then(MoneyWithdrawn({ accountId: 'a', amount: 100 }));
    await open.when(Withdraw({ accountId: 'a', amount: 1 })).thenThrows(BankError);
  });

  it('runs in a tenant of its own', async () => {
    await scenario(withdraw, { tenant: 'acme' })
      .given(opened, deposited)
      .when(Withdraw({ accountId: 'a', amount: 100 }))
      .then(MoneyWithdrawn({ accountId: 'a', amount: 100 }));
  });

  it('run() gives the outcome: the appended events with their versions', async () => {
    const outcome = await scenario(withdraw)
      .given(opened, deposited)
      .when(Withdraw({ accountId: 'a', amount: 30 }))
      .run();
    expect(outcome.threw).toBe(false);
    expect(outcome.streamId).toBe('account-a');
    expect(outcome.events.map((e) => [e.type, e.version])).toEqual([['MoneyWithdrawn', 3]]);
    expect(outcome.commands).toEqual([]);
  });

  it('thenReplies checks what localInvoke resolves to; a reply alone is nothing', async () => {
    const balance = scenario(getBalance)
      .given(opened, deposited, MoneyWithdrawn({ accountId: 'a', amount: 30 }))
      .when(GetBalance({ accountId: 'a' }));
    await balance.thenReplies(70);
    await balance.thenNothing();
    const error = await failure(balance.thenReplies(71));
    expect(error.message).toContain('GetBalance replied other than expected.\n  - 71\n  + 70');
  });
});

describe('scenario: domain errors', () => {
  const overdraw = scenario(withdraw)
    .given(opened)
    .when(Withdraw({ accountId: 'a', amount: 30 }));

  it('thenThrows takes an error class, a pattern, a substring or a predicate', async () => {
    await overdraw.thenThrows(BankError);
    await overdraw.thenThrows(Error);
    await overdraw.thenThrows(/below its overdraft limit of 0/);
    await overdraw.thenThrows('Withdrawal refused');
    await overdraw.thenThrows((e) => e instanceof BankError && e.message.includes('account a'));
    await overdraw.thenThrows();
    await scenario(deposit)
      .when(Deposit({ accountId: 'b', amount: 5 }))
      .thenThrows(/not open/);
  });

  it('says which error was thrown when it is another one', async () => {
    const error = await failure(overdraw.thenThrows(/not open/));
    expect(isExpectationError(error)).toBe(true);
    expect(error.message).toBe(
      [
        'Expected Withdraw to throw an error matching /not open/, but it threw BankError: Withdrawal refused: account a would go below its overdraft limit of 0.',
        '  stream account-a',
        "  given  AccountOpened { accountId: 'a', owner: 'Ada', overdraftLimit: 0 }",
        "  when   Withdraw { accountId: 'a', amount: 30 }",
      ].join('\n'),
    );
    expect(error.cause).toBeInstanceOf(BankError);
  });

  it('says what happened when nothing was thrown', async () => {
    const error = await failure(
      scenario(withdraw)
        .given(opened, deposited)
        .when(Withdraw({ accountId: 'a', amount: 30 }))
        .thenThrows(BankError),
    );
    expect(error.message).toBe(
      [
        'Expected Withdraw to throw BankError, but it succeeded.',
        "  recorded MoneyWithdrawn { accountId: 'a', amount: 30 }",
        '  stream account-a',
        "  given  AccountOpened { accountId: 'a', owner: 'Ada', overdraftLimit: 0 }",
        "         MoneyDeposited { accountId: 'a', amount: 100 }",
        "  when   Withdraw { accountId: 'a', amount: 30 }",
      ].join('\n'),
    );
  });

  it('an unexpected error fails then(), with the error as its cause', async () => {
    const error = await failure(overdraw.then(MoneyWithdrawn({ accountId: 'a', amount: 30 })));
    expect(error.message.split('\n')[0]).toBe(
      'Expected Withdraw to succeed, but it threw BankError: Withdrawal refused: account a would go below its overdraft limit of 0.',
    );
    expect(error.cause).toBeInstanceOf(BankError);
  });

  it('a command that fails its schema is an error like any other', async () => {
    const Rename = defineCommand('Rename', {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (v: unknown) =>
          typeof (v as { name?: unknown }).name === 'string'
            ? { value: v as { name: string } }
            : { issues: [{ message: 'name is required', path: ['name'] }] },
      },
    });
    const Renamed = defineEvent('Renamed', { '~standard': Rename.schema!['~standard'] });
    const rename = defineReceptor({
      command: Rename,
      stream: () => 'names',
      handle: (c) => Renamed(c.data),
    });
    await scenario(rename)
      .when(Rename({ name: 'x' }))
      .then(Renamed({ name: 'x' }));
    await scenario(rename)
      .when(Rename({} as { name: string }))
      .thenThrows(isValidationError);
  });
});

describe('scenario: wrong expectations read well', () => {
  it('shows expected and actual events, and where they differ', async () => {
    const error = await failure(
      scenario(withdraw)
        .given(opened, deposited)
        .when(Withdraw({ accountId: 'a', amount: 30 }))
        .then(MoneyWithdrawn({ accountId: 'a', amount: 40 })),
    );
    expect(isExpectationError(error)).toBe(true);
    expect(error.name).toBe('ExpectationError');
    expect(error.message).toBe(
      [
        'Withdraw recorded other events than expected.',
        '  events (- expected, + actual):',
        "  - MoneyWithdrawn { accountId: 'a', amount: 40 }",
        "  + MoneyWithdrawn { accountId: 'a', amount: 30 }",
        '  MoneyWithdrawn differs at:',
        '    data.amount: expected 40, got 30',
        '  stream account-a',
        "  given  AccountOpened { accountId: 'a', owner: 'Ada', overdraftLimit: 0 }",
        "         MoneyDeposited { accountId: 'a', amount: 100 }",
        "  when   Withdraw { accountId: 'a', amount: 30 }",
      ].join('\n'),
    );
    expect((error as unknown as { expected: unknown }).expected).toEqual({
      events: [{ type: 'MoneyWithdrawn', data: { accountId: 'a', amount: 40 } }],
      commands: [],
    });
  });

  it('marks missing and extra events', async () => {
    const error = await failure(
      scenario(openAccount)
        .when(OpenAccount({ accountId: 'a', owner: 'Ada' }))
        .then(opened, deposited),
    );
    expect(error.message).toContain(
      [
        '  events (- expected, + actual):',
        "    AccountOpened { accountId: 'a', owner: 'Ada', overdraftLimit: 0 }",
        "  - MoneyDeposited { accountId: 'a', amount: 100 }",
      ].join('\n'),
    );
    const nothing = await failure(
      scenario(openAccount)
        .when(OpenAccount({ accountId: 'a', owner: 'Ada' }))
        .thenNothing(),
    );
    expect(nothing.message).toContain(
      "  + AccountOpened { accountId: 'a', owner: 'Ada', overdraftLimit: 0 }",
    );
  });

  it('compares data deeply: nested fields and missing keys', async () => {
    const error = await failure(
      scenario(withdraw)
        .given(opened, deposited)
        .when(Withdraw({ accountId: 'a', amount: 30, transfer: { transferId: 't', to: 'b' } }))
        .then(
          MoneyWithdrawn({ accountId: 'a', amount: 30, transfer: { transferId: 't', to: 'c' } }),
        ),
    );
    expect(error.message).toContain("    data.transfer.to: expected 'c', got 'b'");
    const missing = await failure(
      scenario(withdraw)
        .given(opened, deposited)
        .when(Withdraw({ accountId: 'a', amount: 30, transfer: { transferId: 't', to: 'b' } }))
        .then(MoneyWithdrawn({ accountId: 'a', amount: 30 })),
    );
    expect(missing.message).toContain(
      "    data.transfer: expected (missing), got { transferId: 't', to: 'b' }",
    );
  });
});

describe('scenario: cascades', () => {
  const request = { transferId: 't', from: 'a', to: 'b', amount: 5 };
  const leg = Withdraw({ accountId: 'a', amount: 5, transfer: { transferId: 't', to: 'b' } });

  it('then() lists what the receptor returned: events appended, commands recorded', async () => {
    await scenario(transfer).when(Transfer(request)).then(TransferRequested(request), leg);
    // the order between events and commands does not matter, within each kind it does
    await scenario(transfer).when(Transfer(request)).then(leg, TransferRequested(request));
  });

  it('thenSends() checks only the commands; they are not sent', async () => {
    await scenario(transfer).when(Transfer(request)).thenSends(leg);
    const outcome = await scenario(transfer).when(Transfer(request)).run();
    expect(outcome.commands).toEqual([leg]);
    expect(outcome.events.map((e) => e.type)).toEqual(['TransferRequested']);
  });

  it('a command left out of then() fails it', async () => {
    const error = await failure(
      scenario(transfer).when(Transfer(request)).then(TransferRequested(request)),
    );
    expect(error.message).toContain(
      [
        'Transfer sent other commands than expected.',
        '  commands (- expected, + actual):',
        "  + Withdraw { accountId: 'a', amount: 5, transfer: { transferId: 't', to: 'b' } }",
      ].join('\n'),
    );
    const wrong = await failure(
      scenario(transfer)
        .when(Transfer(request))
        .thenSends(Withdraw({ accountId: 'a', amount: 5 })),
    );
    expect(wrong.message).toContain('Withdraw differs at:\n    data.transfer: expected (missing)');
  });

  it('inside a transfer a refused withdrawal is a fact, not an error', async () => {
    await scenario(withdraw)
      .given(opened)
      .when(leg)
      .then(
        WithdrawalDeclined({
          accountId: 'a',
          amount: 5,
          transferId: 't',
          reason: 'account a would go below its overdraft limit of 0',
        }),
      );
  });

  it('works for stateless receptors', async () => {
    await scenario(completeTransfer)
      .given(TransferRequested(request))
      .when(CompleteTransfer({ transferId: 't' }))
      .then(TransferCompleted({ transferId: 't' }));
    await scenario(transfer)
      .when(Transfer({ ...request, to: 'a' }))
      .thenThrows(/two different accounts/);
  });

  it('tests an event handler (a step of a saga): the commands it returns', async () => {
    const withdrawn = scenario(MoneyWithdrawn, onWithdrawn);
    await withdrawn
      .when(MoneyWithdrawn({ accountId: 'a', amount: 5, transfer: { transferId: 't', to: 'b' } }))
      .thenSends(Deposit({ accountId: 'b', amount: 5, transferId: 't' }));
    await withdrawn.when(MoneyWithdrawn({ accountId: 'a', amount: 5 })).thenNothing();
    // reactions to the given events are not counted
    await withdrawn
      .given(MoneyWithdrawn({ accountId: 'a', amount: 1, transfer: { transferId: 'x', to: 'c' } }))
      .when(MoneyWithdrawn({ accountId: 'a', amount: 5 }))
      .thenNothing();
  });

  it('a handler that returns an event is refused, as the app refuses it', async () => {
    const wrong: EventHandler = (e) =>
      MoneyDeposited({ accountId: 'b', amount: (e.data as { amount: number }).amount });
    await scenario(MoneyWithdrawn, wrong)
      .when(MoneyWithdrawn({ accountId: 'a', amount: 5 }))
      .thenThrows(/handlers return commands/);
  });
});

describe('scenario: misuse is explained', () => {
  it('awaiting a scenario without an expectation rejects', async () => {
    const pending = scenario(withdraw).when(Withdraw({ accountId: 'a', amount: 1 }));
    const error = await failure((async () => await (pending as unknown as PromiseLike<unknown>))());
    expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(error.message).toContain('awaited without an expectation');
  });

  it('refuses messages of the wrong kind or type, and definitions in place of messages', async () => {
    const deposit5 = Deposit({ accountId: 'a', amount: 5 });
    // the types say so first: each line below is a compile error (tsc checks the tests)
    // @ts-expect-error the receptor of Withdraw is sent a Withdraw only
    expect(() => scenario(withdraw).when(deposit5)).toThrow(
      'takes a command Withdraw, got the command Deposit',
    );
    // @ts-expect-error given takes events
    expect(() => scenario(withdraw).given(deposit5)).toThrow('the command Deposit');
    const when = scenario(withdraw).when(Withdraw({ accountId: 'a', amount: 1 }));
    // @ts-expect-error a definition is not a message
    expect(() => when.then(MoneyWithdrawn)).toThrow(
      'call it with data, as in MoneyWithdrawn({ … })',
    );
    // @ts-expect-error thenSends takes commands
    expect(() => when.thenSends(MoneyWithdrawn({ accountId: 'a', amount: 1 }))).toThrow(
      'MoneyWithdrawn is an event',
    );
    const balance = scenario(getBalance)
      .given(opened)
      .when(GetBalance({ accountId: 'a' }));
    // @ts-expect-error GetBalance replies with a number
    const wrong = balance.thenReplies('0');
    await expect(wrong).rejects.toThrow("GetBalance replied other than expected.\n  - '0'\n  + 0");
    expect(() => scenario({} as never)).toThrow('defineReceptor');
  });

  it('given events need a stream to go to', async () => {
    const Ping = defineCommand('Ping');
    const ping = defineReceptor({ command: Ping, handle: () => undefined });
    await scenario(ping).when(Ping()).thenNothing();
    await expect(scenario(ping).given(opened).when(Ping()).thenNothing()).rejects.toThrow(
      'has no stream, so given events have nowhere to go',
    );
  });
});
