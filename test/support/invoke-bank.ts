/**
 * The domain of the remote-invoke tests: a bank whose Deposit receptor answers with the new
 * balance and who answered it, refuses large amounts (a plain error) and non-positive ones (a
 * ValidationError), and can be held back to make a request time out.
 */
import {
  defineCommand,
  defineEvent,
  defineReceptor,
  payload,
  reply,
  ValidationError,
  whizbang,
} from '../../js/mod.ts';

export const Deposit = defineCommand('Deposit', payload<{ accountId: string; amount: number }>());
export const Deposited = defineEvent('Deposited', payload<{ accountId: string; amount: number }>());

/** What a Deposit answers. */
export interface Balance {
  readonly balance: number;
  readonly by: string;
}

/**
 * A bank app named `by` in answers; `hold` is awaited before each deposit; `app` names the app
 * (its queue group: default `bank`).
 */
export function bank(
  by: string,
  options: { readonly hold?: () => Promise<void>; readonly app?: string } = {},
) {
  const { hold, app = 'bank' } = options;
  const balances = new Map<string, number>();
  const handled: string[] = [];
  const deposit = defineReceptor({
    command: Deposit,
    stream: (c) => `account-${c.data.accountId}`,
    handle: async (c, context) => {
      await hold?.();
      if (c.data.amount <= 0) {
        throw new ValidationError('Deposit', [{ message: 'must be positive', path: ['amount'] }]);
      }
      if (c.data.amount > 1_000) throw new RangeError('Insufficient funds');
      handled.push(context.envelope.messageId);
      const balance = (balances.get(c.data.accountId) ?? 0) + c.data.amount;
      balances.set(c.data.accountId, balance);
      return reply({ balance, by } satisfies Balance, Deposited(c.data));
    },
  });
  return { app: whizbang(app).receptor(deposit).build(), handled };
}
