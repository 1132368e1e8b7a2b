/**
 * Transfers as a saga: the bank of domain.ts, with the transfer's steps decided by a saga that
 * keeps its own stream instead of by event handlers. It debits the source, credits the destination
 * and completes; when the debit is declined it fails with no money moved; when the credit fails it
 * compensates by refunding the source, then fails; transfers above a limit wait for an approval,
 * and fail when none comes in time (a timeout).
 */

import type { BuildOptions, MessageOf } from '../../js/mod.ts';
import { defineCommand, defineEvent, defineReceptor, payload, whizbang } from '../../js/mod.ts';
import { defineSaga, type Saga, withSaga } from '../../js/saga/mod.ts';
import {
  AccountState,
  accounts,
  BankError,
  CompleteTransfer,
  completeTransfer,
  Deposit,
  deposit,
  FailTransfer,
  failTransfer,
  getBalance,
  MoneyDeposited,
  MoneyWithdrawn,
  openAccount,
  Transfer,
  TransferCompleted,
  TransferFailed,
  TransferRequested,
  transfers,
  Withdraw,
  WithdrawalDeclined,
  withdraw,
} from './domain.ts';

// The credit leg: unlike Deposit, a refusal is a fact the saga reacts to, not an error.
export const CreditAccount = defineCommand(
  'CreditAccount',
  payload<{ accountId: string; amount: number; transferId: string }>(),
);
export const CreditDeclined = defineEvent(
  'CreditDeclined',
  payload<{ accountId: string; amount: number; transferId: string; reason: string }>(),
);
// Approval of large transfers: asked for by the saga, given (or not) by someone.
export const RequestApproval = defineCommand('RequestApproval', payload<{ transferId: string }>());
export const ApproveTransfer = defineCommand('ApproveTransfer', payload<{ transferId: string }>());
export const ApprovalRequested = defineEvent(
  'ApprovalRequested',
  payload<{ transferId: string }>(),
);
export const TransferApproved = defineEvent('TransferApproved', payload<{ transferId: string }>());

const transferStream = (c: { data: { transferId: string } }): string =>
  `transfer-${c.data.transferId}`;

/** Records the request only: the saga takes it from there. */
export const requestTransfer = defineReceptor({
  command: Transfer,
  stream: transferStream,
  handle: (c) => {
    if (c.data.from === c.data.to) throw new BankError('A transfer needs two different accounts.');
    if (!(c.data.amount > 0))
      throw new BankError(`An amount must be positive, got ${c.data.amount}.`);
    return TransferRequested(c.data);
  },
});

export const creditAccount = defineReceptor({
  command: CreditAccount,
  stream: (c) => `account-${c.data.accountId}`,
  state: AccountState,
  decide: (c, account) =>
    account.open
      ? MoneyDeposited(c.data)
      : CreditDeclined({ ...c.data, reason: `account ${c.data.accountId} is not open` }),
});

export const requestApproval = defineReceptor({
  command: RequestApproval,
  stream: transferStream,
  handle: (c) => ApprovalRequested(c.data),
});

export const approveTransfer = defineReceptor({
  command: ApproveTransfer,
  stream: transferStream,
  handle: (c) => TransferApproved(c.data),
});

/** What the transfer saga knows about its transfer. */
export interface TransferProgress {
  readonly status:
    | 'new'
    | 'awaiting-approval'
    | 'debiting'
    | 'crediting'
    | 'refunding'
    | 'completed'
    | 'failed';
  readonly from: string;
  readonly to: string;
  readonly amount: number;
  readonly reason: string;
}

/** Options of {@link createTransferSaga}. */
export interface TransferSagaOptions {
  /** Transfers above this amount wait for an approval (default 1000). */
  readonly approvalLimit?: number;
  /** How long an approval may take (default one day). */
  readonly approvalTimeoutMs?: number;
}

const debit = (s: TransferProgress, transferId: string): MessageOf<typeof Withdraw> =>
  Withdraw({ accountId: s.from, amount: s.amount, transfer: { transferId, to: s.to } });

/** The transfer saga, one instance per transfer id. */
export function createTransferSaga(options: TransferSagaOptions = {}): Saga<TransferProgress> {
  const { approvalLimit = 1000, approvalTimeoutMs = 24 * 60 * 60 * 1000 } = options;
  return defineSaga({
    name: 'transfer',
    initial: (): TransferProgress => ({ status: 'new', from: '', to: '', amount: 0, reason: '' }),
    startedBy: TransferRequested,
    handles: [
      TransferApproved,
      MoneyWithdrawn,
      WithdrawalDeclined,
      MoneyDeposited,
      CreditDeclined,
      TransferCompleted,
      TransferFailed,
    ],
    correlate: (e) =>
      e.type === 'MoneyWithdrawn' ? e.data.transfer?.transferId : e.data.transferId,
    on: {
      TransferRequested: (s, e) => {
        const { transferId, from, to, amount } = e.data;
        const next = { ...s, from, to, amount };
        if (amount <= approvalLimit)
          return { state: { ...next, status: 'debiting' }, send: debit(next, transferId) };
        return {
          state: { ...next, status: 'awaiting-approval' },
          send: RequestApproval({ transferId }),
          timeout: {
            afterMs: approvalTimeoutMs,
            command: FailTransfer({ transferId, reason: 'approval timed out' }),
          },
        };
      },
      TransferApproved: (s, e) =>
        s.status === 'awaiting-approval'
          ? { state: { ...s, status: 'debiting' }, send: debit(s, e.data.transferId) }
          : undefined,
      MoneyWithdrawn: (s, e) => {
        const { transferId } = e.data.transfer!;
        if (s.status !== 'debiting') return undefined;
        return {
          state: { ...s, status: 'crediting' },
          send: CreditAccount({ accountId: s.to, amount: s.amount, transferId }),
          // what undoes the debit, should a later step compensate
          undo: Deposit({ accountId: s.from, amount: s.amount, transferId }),
        };
      },
      WithdrawalDeclined: (s, e) => ({
        state: { ...s, status: 'failed', reason: e.data.reason },
        send: FailTransfer({ transferId: e.data.transferId, reason: e.data.reason }),
      }),
      MoneyDeposited: (s, e) =>
        s.status === 'crediting' && e.data.accountId === s.to
          ? { send: CompleteTransfer({ transferId: e.data.transferId! }) }
          : undefined, // the refund of a compensation: nothing to decide
      CreditDeclined: (s, e) => {
        const reason = `${e.data.reason}; refunded ${s.from}`;
        return {
          state: { ...s, status: 'refunding', reason },
          compensate: true, // sends the undo of the debit: a Deposit back to the source
          send: FailTransfer({ transferId: e.data.transferId, reason }),
        };
      },
      TransferCompleted: (s) => ({ state: { ...s, status: 'completed' }, complete: true }),
      // However the transfer failed (a decline, a timeout), undo what is still outstanding.
      TransferFailed: (s, e) => ({
        state: { ...s, status: 'failed', reason: e.data.reason },
        compensate: true,
        complete: true,
      }),
    },
  });
}

/** The transfer saga with the default limits. */
export const transferSaga: Saga<TransferProgress> = createTransferSaga();

/** The bank of domain.ts and the transfer saga's receptors, for an app to add to before `withSaga`. */
export function sagaBankBuilder() {
  return whizbang('bank')
    .receptor(openAccount)
    .receptor(deposit)
    .receptor(withdraw)
    .receptor(requestTransfer)
    .receptor(creditAccount)
    .receptor(requestApproval)
    .receptor(approveTransfer)
    .receptor(completeTransfer)
    .receptor(failTransfer)
    .receptor(getBalance)
    .perspective(accounts)
    .perspective(transfers);
}

/** The bank of domain.ts with transfers run by `saga` (default {@link transferSaga}). */
export function createSagaBank(
  options: BuildOptions & { readonly saga?: Saga<TransferProgress> } = {},
) {
  const { saga = transferSaga, ...build } = options;
  return withSaga(sagaBankBuilder(), saga).build(build);
}
