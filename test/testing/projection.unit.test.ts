// @runtimes node deno bun
import { describe, expect, it } from 'vitest';
import {
  AccountOpened,
  accounts,
  MoneyDeposited,
  MoneyWithdrawn,
  TransferFailed,
  TransferRequested,
  totals,
  transfers,
} from '../../examples/bank/domain.ts';
import { definePerspective, isWhizbangError } from '../../js/mod.ts';
import { given, isExpectationError } from '../../js/testing/mod.ts';

const openedA = AccountOpened({ accountId: 'a', owner: 'Ada', overdraftLimit: 50 });
const openedB = AccountOpened({ accountId: 'b', owner: 'Bob', overdraftLimit: 0 });

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected the expectation to fail, but it passed');
}

// Accounts below zero, keyed by account: the model is deleted once the account is back in credit.
const overdrawn = definePerspective({
  name: 'overdrawn',
  events: [MoneyDeposited, MoneyWithdrawn],
  key: (e) => e.data.accountId,
  initial: () => ({ balance: 0 }),
  apply: (m, e) => {
    const balance = m.balance + (e.type === 'MoneyDeposited' ? e.data.amount : -e.data.amount);
    return balance < 0 ? { balance } : null;
  },
});

// One statement per account stream (keyed by stream, the default).
const statements = definePerspective({
  name: 'statements',
  events: [MoneyDeposited, MoneyWithdrawn],
  initial: () => ({ lines: [] as string[] }),
  apply: (m, e) => ({
    lines: [...m.lines, `${e.type === 'MoneyDeposited' ? '+' : '-'}${e.data.amount}`],
  }),
});

describe('given(...).project(perspective)', () => {
  it('keeps the model of a partitioned perspective, its key found from the events', async () => {
    await given(
      openedA,
      MoneyDeposited({ accountId: 'a', amount: 100 }),
      MoneyWithdrawn({ accountId: 'a', amount: 30 }),
    )
      .project(accounts)
      .then({ accountId: 'a', owner: 'Ada', balance: 70, movements: 2 });
    await given(
      TransferRequested({ transferId: 't', from: 'a', to: 'b', amount: 5 }),
      TransferFailed({ transferId: 't', reason: 'no funds' }),
    )
      .project(transfers)
      .then({
        transferId: 't',
        from: 'a',
        to: 'b',
        amount: 5,
        status: 'failed',
        reason: 'no funds',
      });
  });

  it('needs a key when the events belong to several models', async () => {
    const both = given(openedA, openedB, MoneyDeposited({ accountId: 'b', amount: 9 }));
    await both
      .project(accounts, { key: 'b' })
      .then({ accountId: 'b', owner: 'Bob', balance: 9, movements: 1 });
    const error = await failure(both.project(accounts).model());
    expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(error.message).toContain(
      `The given events belong to 2 models of perspective "accounts" ('a', 'b'); say which to check with .project(perspective, { key }).`,
    );
  });

  it('keys a perspective by stream unless it says otherwise', async () => {
    const events = [
      MoneyDeposited({ accountId: 'a', amount: 10 }),
      MoneyWithdrawn({ accountId: 'a', amount: 3 }),
    ];
    await given(...events)
      .project(statements, { stream: 'account-a' })
      .then({ lines: ['+10', '-3'] });
    expect(
      await given(...events)
        .project(statements)
        .model(),
    ).toEqual({ lines: ['+10', '-3'] });
    expect(
      await given(...events)
        .project(statements, { key: 'account-b' })
        .model(),
    ).toBe(undefined);
  });

  it('applies an async perspective too', async () => {
    await given(openedA, openedB, MoneyDeposited({ accountId: 'a', amount: 7 }))
      .project(totals)
      .then({ accounts: 2, deposited: 7, withdrawn: 0 });
  });

  it('keeps models per tenant', async () => {
    await given(openedA)
      .project(accounts, { tenant: 'acme' })
      .then({ accountId: 'a', owner: 'Ada', balance: 0, movements: 0 });
  });

  it('shows expected and actual models, and where they differ', async () => {
    const error = await failure(
      given(openedA, MoneyDeposited({ accountId: 'a', amount: 100 }))
        .project(accounts)
        .then({ accountId: 'a', owner: 'Bob', balance: 100, movements: 2 }),
    );
    expect(isExpectationError(error)).toBe(true);
    expect(error.message).toBe(
      [
        `Perspective "accounts" keeps another model for key 'a' than expected (- expected, + actual):`,
        "  - { accountId: 'a', owner: 'Bob', balance: 100, movements: 2 }",
        "  + { accountId: 'a', owner: 'Ada', balance: 100, movements: 1 }",
        "  at model.owner: expected 'Bob', got 'Ada'",
        '  at model.movements: expected 2, got 1',
        '  stream test-stream',
        "  given  AccountOpened { accountId: 'a', owner: 'Ada', overdraftLimit: 50 }",
        "         MoneyDeposited { accountId: 'a', amount: 100 }",
      ].join('\n'),
    );
  });

  it('explains when there is no applicable event', async () => {
    await expect(given(openedA).project(overdrawn).model()).rejects.toThrow(
      'No given event is applied by perspective "overdrawn" (it applies MoneyDeposited, MoneyWithdrawn)',
    );
  });
});

describe('deleted models', () => {
  const dip = MoneyWithdrawn({ accountId: 'a', amount: 30 });
  const back = MoneyDeposited({ accountId: 'a', amount: 50 });

  it('thenDeleted passes once apply returned null', async () => {
    await given(dip).project(overdrawn).then({ balance: -30 });
    await given(dip, back).project(overdrawn).thenDeleted();
  });

  it('thenDeleted fails while the model is there, or when no event touched it', async () => {
    const kept = await failure(given(dip).project(overdrawn).thenDeleted());
    expect(kept.message.split('\n').slice(0, 2)).toEqual([
      `Perspective "overdrawn" still has a model for key 'a'; expected it deleted:`,
      '  + { balance: -30 }',
    ]);
    const untouched = await failure(
      given(dip, back).project(overdrawn, { key: 'b' }).thenDeleted(),
    );
    expect(untouched.message.split('\n')[0]).toBe(
      `Perspective "overdrawn": no given event belongs to key 'b', so nothing was deleted (the events belong to 'a').`,
    );
  });

  it('then(model) says when the model is gone', async () => {
    const error = await failure(given(dip, back).project(overdrawn).then({ balance: 20 }));
    expect(error.message.split('\n').slice(0, 2)).toEqual([
      `Perspective "overdrawn" has no model for key 'a' (deleted, or never created); expected:`,
      '  { balance: 20 }',
    ]);
  });

  it('awaiting a projection without an expectation rejects', async () => {
    const pending = given(dip).project(overdrawn);
    await expect(
      (async () => await (pending as unknown as PromiseLike<unknown>))(),
    ).rejects.toThrow('was awaited without an expectation');
  });
});
