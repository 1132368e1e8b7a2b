/**
 * A small bank: open accounts, deposit, withdraw within an overdraft limit, and transfer between
 * accounts as a cascade (transfer -> withdraw -> deposit -> complete, or -> fail when declined).
 */

import type { BuildOptions, MessageOf } from '../../js/mod.ts';
import {
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  defineState,
  payload,
  reply,
  whizbang,
} from '../../js/mod.ts';

// Commands: what someone asks for.
export const OpenAccount = defineCommand(
  'OpenAccount',
  payload<{ accountId: string; owner: string; overdraftLimit?: number }>(),
);
export const Deposit = defineCommand(
  'Deposit',
  payload<{ accountId: string; amount: number; transferId?: string }>(),
);
/** The leg of a transfer a withdrawal belongs to: where the money goes next. */
export interface TransferLeg {
  readonly transferId: string;
  readonly to: string;
}
export const Withdraw = defineCommand(
  'Withdraw',
  payload<{ accountId: string; amount: number; transfer?: TransferLeg }>(),
);
export const Transfer = defineCommand(
  'Transfer',
  payload<{ transferId: string; from: string; to: string; amount: number }>(),
);
export const CompleteTransfer = defineCommand(
  'CompleteTransfer',
  payload<{ transferId: string }>(),
);
export const FailTransfer = defineCommand(
  'FailTransfer',
  payload<{ transferId: string; reason: string }>(),
);
export const GetBalance = defineCommand('GetBalance', payload<{ accountId: string }>());

// Events: what happened.
export const AccountOpened = defineEvent(
  'AccountOpened',
  payload<{ accountId: string; owner: string; overdraftLimit: number }>(),
);
export const MoneyDeposited = defineEvent(
  'MoneyDeposited',
  payload<{ accountId: string; amount: number; transferId?: string }>(),
);
export const MoneyWithdrawn = defineEvent(
  'MoneyWithdrawn',
  payload<{ accountId: string; amount: number; transfer?: TransferLeg }>(),
);
export const WithdrawalDeclined = defineEvent(
  'WithdrawalDeclined',
  payload<{ accountId: string; amount: number; transferId: string; reason: string }>(),
);
export const TransferRequested = defineEvent(
  'TransferRequested',
  payload<{ transferId: string; from: string; to: string; amount: number }>(),
);
export const TransferCompleted = defineEvent(
  'TransferCompleted',
  payload<{ transferId: string }>(),
);
export const TransferFailed = defineEvent(
  'TransferFailed',
  payload<{ transferId: string; reason: string }>(),
);

type AccountEvent = MessageOf<typeof AccountOpened | typeof MoneyDeposited | typeof MoneyWithdrawn>;

/** An account's state, folded from its stream. */
export interface Account {
  readonly open: boolean;
  readonly balance: number;
  readonly overdraftLimit: number;
}

export const AccountState = defineState<Account, AccountEvent>({
  initial: () => ({ open: false, balance: 0, overdraftLimit: 0 }),
  evolve: (account, event) => {
    switch (event.type) {
      case 'AccountOpened':
        return { ...account, open: true, overdraftLimit: event.data.overdraftLimit };
      case 'MoneyDeposited':
        return { ...account, balance: account.balance + event.data.amount };
      case 'MoneyWithdrawn':
        return { ...account, balance: account.balance - event.data.amount };
      default:
        return account;
    }
  },
});

/** A rule of the domain was broken: the command is refused, nothing is written. */
export class BankError extends Error {
  override name = 'BankError';
}

const accountStream = (accountId: string): string => `account-${accountId}`;
const positive = (amount: number): void => {
  if (!(amount > 0)) throw new BankError(`An amount must be positive, got ${amount}.`);
};

export const openAccount = defineReceptor({
  command: OpenAccount,
  stream: (c) => accountStream(c.data.accountId),
  state: AccountState,
  decide: (c, account) => {
    if (account.open) throw new BankError(`Account ${c.data.accountId} is already open.`);
    return AccountOpened({
      accountId: c.data.accountId,
      owner: c.data.owner,
      overdraftLimit: c.data.overdraftLimit ?? 0,
    });
  },
});

export const deposit = defineReceptor({
  command: Deposit,
  stream: (c) => accountStream(c.data.accountId),
  state: AccountState,
  decide: (c, account) => {
    if (!account.open) throw new BankError(`Account ${c.data.accountId} is not open.`);
    positive(c.data.amount);
    return MoneyDeposited(c.data);
  },
});

export const withdraw = defineReceptor({
  command: Withdraw,
  stream: (c) => accountStream(c.data.accountId),
  state: AccountState,
  decide: (c, account) => {
    const { accountId, amount, transfer } = c.data;
    positive(amount);
    const reason = !account.open
      ? `account ${accountId} is not open`
      : account.balance - amount < -account.overdraftLimit
        ? `account ${accountId} would go below its overdraft limit of ${account.overdraftLimit}`
        : undefined;
    if (reason === undefined) return MoneyWithdrawn(c.data);
    // Inside a transfer a refusal is a fact the transfer reacts to; on its own it is an error.
    if (transfer !== undefined)
      return WithdrawalDeclined({ accountId, amount, transferId: transfer.transferId, reason });
    throw new BankError(`Withdrawal refused: ${reason}.`);
  },
});

const transferStream = (transferId: string): string => `transfer-${transferId}`;

export const transfer = defineReceptor({
  command: Transfer,
  stream: (c) => transferStream(c.data.transferId),
  handle: (c) => {
    const { transferId, from, to, amount } = c.data;
    if (from === to) throw new BankError('A transfer needs two different accounts.');
    positive(amount);
    // The event is appended; the command cascades to the source account.
    return [
      TransferRequested(c.data),
      Withdraw({ accountId: from, amount, transfer: { transferId, to } }),
    ];
  },
});

export const completeTransfer = defineReceptor({
  command: CompleteTransfer,
  stream: (c) => transferStream(c.data.transferId),
  handle: (c) => TransferCompleted(c.data),
});

export const failTransfer = defineReceptor({
  command: FailTransfer,
  stream: (c) => transferStream(c.data.transferId),
  handle: (c) => TransferFailed(c.data),
});

/** A typed in-process query over the account's own state: `localInvoke` resolves to a number. */
export const getBalance = defineReceptor({
  command: GetBalance,
  stream: (c) => accountStream(c.data.accountId),
  state: AccountState,
  decide: (c, account) => {
    if (!account.open) throw new BankError(`Account ${c.data.accountId} is not open.`);
    return reply(account.balance);
  },
});

/** One row per account (inline: updated in the same transaction as the events). */
export const accounts = definePerspective({
  name: 'accounts',
  events: [AccountOpened, MoneyDeposited, MoneyWithdrawn],
  key: (e) => e.data.accountId,
  initial: () => ({ accountId: '', owner: '', balance: 0, movements: 0 }),
  apply: (row, e) => {
    switch (e.type) {
      case 'AccountOpened':
        return { ...row, accountId: e.data.accountId, owner: e.data.owner };
      case 'MoneyDeposited':
        return { ...row, balance: row.balance + e.data.amount, movements: row.movements + 1 };
      case 'MoneyWithdrawn':
        return { ...row, balance: row.balance - e.data.amount, movements: row.movements + 1 };
    }
  },
});

/** One row per transfer, keyed by its stream. */
export const transfers = definePerspective({
  name: 'transfers',
  events: [TransferRequested, TransferCompleted, TransferFailed],
  key: (e) => e.data.transferId,
  initial: () => ({ transferId: '', from: '', to: '', amount: 0, status: 'requested', reason: '' }),
  apply: (row, e) => {
    switch (e.type) {
      case 'TransferRequested':
        return { ...row, ...e.data, status: 'requested' };
      case 'TransferCompleted':
        return { ...row, status: 'completed' };
      case 'TransferFailed':
        return { ...row, status: 'failed', reason: e.data.reason };
    }
  },
});

/** Bank-wide totals, kept asynchronously from a subscription (with a checkpoint). */
export const totals = definePerspective({
  name: 'totals',
  mode: 'async',
  events: [AccountOpened, MoneyDeposited, MoneyWithdrawn],
  key: () => 'bank',
  initial: () => ({ accounts: 0, deposited: 0, withdrawn: 0 }),
  apply: (t, e) => {
    switch (e.type) {
      case 'AccountOpened':
        return { ...t, accounts: t.accounts + 1 };
      case 'MoneyDeposited':
        return { ...t, deposited: t.deposited + e.data.amount };
      case 'MoneyWithdrawn':
        return { ...t, withdrawn: t.withdrawn + e.data.amount };
    }
  },
});

/** The bank, wired: receptors, perspectives and the event handlers that carry transfers along. */
export function createBank(options: BuildOptions = {}) {
  return whizbang('bank')
    .receptor(openAccount)
    .receptor(deposit)
    .receptor(withdraw)
    .receptor(transfer)
    .receptor(completeTransfer)
    .receptor(failTransfer)
    .receptor(getBalance)
    .perspective(accounts)
    .perspective(transfers)
    .perspective(totals)
    .on(MoneyWithdrawn, (e) =>
      e.data.transfer === undefined
        ? undefined
        : Deposit({
            accountId: e.data.transfer.to,
            amount: e.data.amount,
            transferId: e.data.transfer.transferId,
          }),
    )
    .on(WithdrawalDeclined, (e) =>
      FailTransfer({ transferId: e.data.transferId, reason: e.data.reason }),
    )
    .on(MoneyDeposited, (e) =>
      e.data.transferId === undefined
        ? undefined
        : CompleteTransfer({ transferId: e.data.transferId }),
    )
    .build(options);
}
