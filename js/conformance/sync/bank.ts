/**
 * The app every replica of the sync suite runs: accounts with an overdraft limit, so a withdrawal
 * decided again on newer state can be refused, and transfers that cascade (withdraw, then deposit,
 * then complete), so a displaced command's cascade must not run twice. The suite ships it, so a
 * driver's test needs no domain of its own.
 */

import {
  type BuildOptions,
  type CommandDefinition,
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  defineState,
  type Event,
  type MessageOf,
  type Perspective,
  payload,
  type RecordedEvent,
  type Whizbang,
  whizbang,
} from '../whizbang.ts';

type Opening = { accountId: string; owner: string; overdraftLimit?: number };
type Credit = { accountId: string; amount: number; transferId?: string };
/** A withdrawal made for a transfer names where the money goes next. */
type Debit = { accountId: string; amount: number; transfer?: { transferId: string; to: string } };
type Move = { transferId: string; from: string; to: string; amount: number };

/** Opens an account (overdraft limit 0 unless given). */
export const OpenAccount: CommandDefinition<'OpenAccount', Opening> = defineCommand(
  'OpenAccount',
  payload<Opening>(),
);
/** Puts money in an open account. */
export const Deposit: CommandDefinition<'Deposit', Credit> = defineCommand(
  'Deposit',
  payload<Credit>(),
);
/** Takes money out, refused below the overdraft limit. */
export const Withdraw: CommandDefinition<'Withdraw', Debit> = defineCommand(
  'Withdraw',
  payload<Debit>(),
);
/** Moves money between two accounts, as a cascade. */
export const Transfer: CommandDefinition<'Transfer', Move> = defineCommand(
  'Transfer',
  payload<Move>(),
);
const CompleteTransfer = defineCommand('CompleteTransfer', payload<{ transferId: string }>());

const AccountOpened = defineEvent('AccountOpened', payload<Required<Opening>>());
const MoneyDeposited = defineEvent('MoneyDeposited', payload<Credit>());
const MoneyWithdrawn = defineEvent('MoneyWithdrawn', payload<Debit>());
const TransferRequested = defineEvent('TransferRequested', payload<Move>());
const TransferCompleted = defineEvent('TransferCompleted', payload<{ transferId: string }>());

type AccountEvent =
  | Event<'AccountOpened', Required<Opening>>
  | Event<'MoneyDeposited', Credit>
  | Event<'MoneyWithdrawn', Debit>;
type TransferEvent =
  | Event<'TransferRequested', Move>
  | Event<'TransferCompleted', { transferId: string }>;

/** A rule of the bank was broken: the command is refused, nothing is written. */
export class BankError extends Error {
  override name = 'BankError';
}

/** A balance after one of the account's events. */
const moved = (balance: number, e: AccountEvent): number =>
  e.type === 'AccountOpened'
    ? balance
    : balance + (e.type === 'MoneyDeposited' ? 1 : -1) * e.data.amount;

/** An account as its receptors see it. */
type AccountState = { open: boolean; balance: number; limit: number };

const Account = defineState<AccountState, AccountEvent>({
  initial: () => ({ open: false, balance: 0, limit: 0 }),
  evolve: (account, e) =>
    e.type === 'AccountOpened'
      ? { ...account, open: true, limit: e.data.overdraftLimit }
      : { ...account, balance: moved(account.balance, e) },
});

const accountOf = (c: { data: { accountId: string } }): string => `account-${c.data.accountId}`;
const transferOf = (c: { data: { transferId: string } }): string => `transfer-${c.data.transferId}`;

const openAccount = defineReceptor({
  command: OpenAccount,
  stream: accountOf,
  state: Account,
  decide: (c, account) => {
    if (account.open) throw new BankError(`Account ${c.data.accountId} is already open.`);
    return AccountOpened({ ...c.data, overdraftLimit: c.data.overdraftLimit ?? 0 });
  },
});

const deposit = defineReceptor({
  command: Deposit,
  stream: accountOf,
  state: Account,
  decide: (c, account) => {
    if (!account.open || !(c.data.amount > 0)) throw new BankError('Deposit refused.');
    return MoneyDeposited(c.data);
  },
});

const withdraw = defineReceptor({
  command: Withdraw,
  stream: accountOf,
  state: Account,
  decide: (c, account) => {
    if (account.open && c.data.amount > 0 && account.balance - c.data.amount >= -account.limit) {
      return MoneyWithdrawn(c.data);
    }
    throw new BankError(`Withdrawal refused: below the overdraft limit of ${account.limit}.`);
  },
});

const transfer = defineReceptor({
  command: Transfer,
  stream: transferOf,
  handle: (c) => [
    TransferRequested(c.data),
    Withdraw({
      accountId: c.data.from,
      amount: c.data.amount,
      transfer: { transferId: c.data.transferId, to: c.data.to },
    }),
  ],
});

const completeTransfer = defineReceptor({
  command: CompleteTransfer,
  stream: transferOf,
  handle: (c) => TransferCompleted(c.data),
});

/** One row per account. */
export const accounts: Perspective<
  { balance: number },
  RecordedEvent<AccountEvent>
> = definePerspective({
  name: 'accounts',
  events: [AccountOpened, MoneyDeposited, MoneyWithdrawn],
  key: (e) => e.data.accountId,
  initial: () => ({ balance: 0 }),
  apply: (row, e) => ({ balance: moved(row.balance, e) }),
});

/** One row per transfer: requested, then completed. */
export const transfers: Perspective<
  { status: string },
  RecordedEvent<TransferEvent>
> = definePerspective({
  name: 'transfers',
  events: [TransferRequested, TransferCompleted],
  key: (e) => e.data.transferId,
  initial: () => ({ status: 'requested' }),
  apply: (_, e) => ({ status: e.type === 'TransferRequested' ? 'requested' : 'completed' }),
});

/** The commands the bank handles. */
export type BankCommand = MessageOf<
  typeof OpenAccount | typeof Deposit | typeof Withdraw | typeof Transfer
>;

/** The bank, wired: a withdrawal for a transfer deposits, and that deposit completes it. */
export function createBank(options: BuildOptions = {}): Whizbang<BankCommand> {
  return whizbang('bank')
    .receptor(openAccount)
    .receptor(deposit)
    .receptor(withdraw)
    .receptor(transfer)
    .receptor(completeTransfer)
    .perspective(accounts)
    .perspective(transfers)
    .on(MoneyWithdrawn, (e) => {
      const leg = e.data.transfer;
      if (leg === undefined) return undefined;
      return Deposit({ accountId: leg.to, amount: e.data.amount, transferId: leg.transferId });
    })
    .on(MoneyDeposited, (e) =>
      e.data.transferId === undefined
        ? undefined
        : CompleteTransfer({ transferId: e.data.transferId }),
    )
    .build(options);
}
