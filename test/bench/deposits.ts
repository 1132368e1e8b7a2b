/** The sync benchmarks' domain: a deposit command and its event, nothing else to do per command. */
import { defineReceptor } from '../../js/definitions/receptor.ts';
import { defineCommand, defineEvent, payload } from '../../js/messages/message.ts';

/** Deposits `amount` into `account`. */
export const Deposit = defineCommand('Deposit', payload<{ account: string; amount: number }>());
/** A deposit made. */
export const Deposited = defineEvent('Deposited', payload<{ account: string; amount: number }>());
/** Turns each deposit into its event on the account's stream. */
export const deposit = defineReceptor({
  command: Deposit,
  stream: (c) => `account-${c.data.account}`,
  handle: (c) => Deposited(c.data),
});
