/**
 * The bank of examples/bank, with transfers run by its saga: debit, credit, complete — or fail,
 * refund, and wait for an approval above 1000. The commands a visitor sends get zod schemas here.
 */

import * as z from 'zod/mini';
import {
  AccountOpened,
  accounts,
  completeTransfer,
  deposit,
  failTransfer,
  getBalance,
  MoneyDeposited,
  MoneyWithdrawn,
  openAccount,
  TransferCompleted,
  TransferFailed,
  TransferRequested,
  transfers,
  WithdrawalDeclined,
  withdraw,
} from '../../../examples/bank/domain.ts';
import {
  ApprovalRequested,
  approveTransfer,
  CreditDeclined,
  creditAccount,
  requestApproval,
  requestTransfer,
  TransferApproved,
  transferSaga,
} from '../../../examples/bank/transfer-saga.ts';
import { whizbang } from '../../../js/mod.ts';
import { SagaStepped, withSaga } from '../../../js/saga/mod.ts';
import { withSchema } from './schema.ts';
import type { Domain } from './types.ts';

const id = (what: string) => z.string().check(z.minLength(1, `Give the ${what}.`));
const amount = z
  .number({ error: 'Give the amount, a number.' })
  .check(z.positive('The amount must be more than 0.'));

const open = withSchema(
  openAccount,
  z.object({
    accountId: id('account id'),
    owner: id('owner'),
    overdraftLimit: z.optional(z.number().check(z.gte(0, 'The limit cannot be negative.'))),
  }),
);
const put = withSchema(
  deposit,
  z.object({ accountId: id('account id'), amount, transferId: z.optional(z.string()) }),
);
const take = withSchema(
  withdraw,
  z.object({
    accountId: id('account id'),
    amount,
    // set by the transfer saga, never by hand
    transfer: z.optional(z.object({ transferId: z.string(), to: z.string() })),
  }),
);
const move = withSchema(
  requestTransfer,
  z.object({
    transferId: id('transfer id'),
    from: id('source account'),
    to: id('account'),
    amount,
  }),
);
const approve = withSchema(approveTransfer, z.object({ transferId: id('transfer id') }));

const pick = (ids: readonly string[], n: number, fallback: string): string =>
  ids[n % Math.max(ids.length, 1)] ?? fallback;

export const bank: Domain = {
  id: 'bank',
  title: 'Bank accounts',
  summary:
    'Accounts with an overdraft limit; transfers run by a saga (debit, credit, complete), above 1000 they wait for an approval.',
  commands: [
    {
      definition: open.definition,
      schema: open.definition.schema!,
      summary: 'Opens an account (once per id).',
      example: (f) => ({
        accountId: f.person.firstName().toLowerCase(),
        owner: f.person.fullName(),
        overdraftLimit: f.helpers.arrayElement([0, 50, 100]),
      }),
    },
    {
      definition: put.definition,
      schema: put.definition.schema!,
      summary: 'Puts money into an open account.',
      example: (f, ids) => ({
        accountId: pick(ids, f.number.int(9), 'ada'),
        amount: f.number.int({ min: 10, max: 500 }),
      }),
    },
    {
      definition: take.definition,
      schema: take.definition.schema!,
      summary: 'Takes money out, within the overdraft limit.',
      example: (f, ids) => ({
        accountId: pick(ids, f.number.int(9), 'ada'),
        amount: f.number.int({ min: 5, max: 100 }),
      }),
    },
    {
      definition: move.definition,
      schema: move.definition.schema!,
      summary: 'Moves money between two accounts (the saga does the steps).',
      example: (f, ids) => ({
        transferId: `t-${f.string.alphanumeric(5).toLowerCase()}`,
        from: pick(ids, 0, 'ada'),
        to: pick(ids, 1, 'bob'),
        amount: f.number.int({ min: 5, max: 200 }),
      }),
    },
    {
      definition: approve.definition,
      schema: approve.definition.schema!,
      summary: 'Approves a transfer above 1000 that waits for it.',
      example: () => ({ transferId: '' }),
    },
  ],
  events: [
    AccountOpened,
    MoneyDeposited,
    MoneyWithdrawn,
    WithdrawalDeclined,
    CreditDeclined,
    TransferRequested,
    ApprovalRequested,
    TransferApproved,
    TransferCompleted,
    TransferFailed,
    SagaStepped,
  ],
  receptors: [
    { command: 'OpenAccount', stream: 'account-{accountId}', emits: ['AccountOpened'] },
    { command: 'Deposit', stream: 'account-{accountId}', emits: ['MoneyDeposited'] },
    {
      command: 'Withdraw',
      stream: 'account-{accountId}',
      emits: ['MoneyWithdrawn', 'WithdrawalDeclined'],
    },
    { command: 'Transfer', stream: 'transfer-{transferId}', emits: ['TransferRequested'] },
    {
      command: 'CreditAccount',
      stream: 'account-{accountId}',
      emits: ['MoneyDeposited', 'CreditDeclined'],
    },
    { command: 'RequestApproval', stream: 'transfer-{transferId}', emits: ['ApprovalRequested'] },
    { command: 'ApproveTransfer', stream: 'transfer-{transferId}', emits: ['TransferApproved'] },
    { command: 'CompleteTransfer', stream: 'transfer-{transferId}', emits: ['TransferCompleted'] },
    { command: 'FailTransfer', stream: 'transfer-{transferId}', emits: ['TransferFailed'] },
    { command: 'GetBalance', stream: 'account-{accountId}', emits: ['(a reply: the balance)'] },
  ],
  reactions: [
    'saga "transfer": TransferRequested → Withdraw (or RequestApproval above 1000) → CreditAccount → CompleteTransfer; a decline → FailTransfer and a refund',
  ],
  lenses: [
    {
      label: 'accounts',
      perspective: accounts,
      columns: ['accountId', 'owner', 'balance', 'movements'],
      idOf: (m) => m.accountId,
    },
    {
      label: 'transfers',
      perspective: transfers,
      columns: ['transferId', 'from', 'to', 'amount', 'status', 'reason'],
      idOf: (m) => m.transferId,
    },
  ],
  ids: async (app) => (await app.lens(accounts).query()).map((a) => a.accountId),
  build: (options) => {
    const builder = whizbang('bank')
      .receptor(open.receptor)
      .receptor(put.receptor)
      .receptor(take.receptor)
      .receptor(move.receptor)
      .receptor(creditAccount)
      .receptor(requestApproval)
      .receptor(approve.receptor)
      .receptor(completeTransfer)
      .receptor(failTransfer)
      .receptor(getBalance)
      .perspective(accounts)
      .perspective(transfers);
    return withSaga(builder, transferSaga).build(options);
  },
};
