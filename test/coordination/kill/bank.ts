/**
 * The bank of the multi-instance kill test: the saga bank of examples/bank with an async
 * perspective split into partitions, the saga's timeouts kept by the driver, deposits routed to
 * the outbox (relayed over JetStream to a mailer that records one receipt per deposit), built to
 * share its background work with the other instances.
 */
import { MoneyDeposited, MoneyWithdrawn, totals } from '../../../examples/bank/domain.ts';
import { createTransferSaga, sagaBankBuilder } from '../../../examples/bank/transfer-saga.ts';
import {
  type BuildOptions,
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  payload,
  whizbang,
} from '../../../js/mod.ts';
import { withSaga } from '../../../js/saga/mod.ts';

/** Transfers above this wait for an approval that never comes: their timeout fails them. */
export const APPROVAL_LIMIT = 60;
/** How long such a transfer waits, ms. */
export const APPROVAL_TIMEOUT_MS = 400;

/** The transfer saga with a short approval timeout. */
export const saga = createTransferSaga({
  approvalLimit: APPROVAL_LIMIT,
  approvalTimeoutMs: APPROVAL_TIMEOUT_MS,
});

/** Movements per account, async, in two partitions: each movement counted once. */
export const movements = definePerspective({
  name: 'movements',
  mode: 'async',
  events: [MoneyDeposited, MoneyWithdrawn],
  key: (e) => e.data.accountId,
  initial: () => ({ deposits: 0, withdrawals: 0, net: 0 }),
  apply: (m, e) =>
    e.type === 'MoneyDeposited'
      ? { ...m, deposits: m.deposits + 1, net: m.net + e.data.amount }
      : { ...m, withdrawals: m.withdrawals + 1, net: m.net - e.data.amount },
});

/** The bank app of one instance. */
export function bank(options: BuildOptions) {
  const builder = sagaBankBuilder()
    .perspective(totals)
    .perspective(movements)
    .perspective(saga.timeouts)
    .route(MoneyDeposited, { to: 'both' });
  return withSaga(builder, saga).build(options);
}

/** Records the receipt of a deposit (its event's message id). */
export const SendReceipt = defineCommand('SendReceipt', payload<{ depositId: string }>());
/** A receipt went out. */
export const ReceiptSent = defineEvent('ReceiptSent', payload<{ depositId: string }>());

/** The mailer: takes relayed deposits and records one receipt for each. */
export function mailer(options: BuildOptions) {
  return whizbang('mailer')
    .receptor(
      defineReceptor({
        command: SendReceipt,
        stream: (c) => `receipt-${c.data.depositId}`,
        handle: (c) => ReceiptSent(c.data),
      }),
    )
    .on(MoneyDeposited, (e) => SendReceipt({ depositId: e.messageId }))
    .build(options);
}
