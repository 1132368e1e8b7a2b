/** The benchmark domain: accounts that take deposits, with a balance read model. */
import {
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  defineState,
  payload,
} from '../../js/mod.ts';

export const Deposit = defineCommand('Deposit', payload<{ accountId: string; amount: number }>());
export const Deposited = defineEvent('Deposited', payload<{ accountId: string; amount: number }>());

export interface AccountState {
  balance: number;
  deposits: number;
}

/** Shared by Whizbang and Emmett so that both do the same domain work. */
export const initialAccount = (): AccountState => ({ balance: 0, deposits: 0 });
export const evolveAccount = (s: AccountState, e: { data: { amount: number } }): AccountState => ({
  balance: s.balance + e.data.amount,
  deposits: s.deposits + 1,
});
export const decideDeposit = (amount: number, s: AccountState): void => {
  if (amount <= 0) throw new Error('A deposit must be positive');
  if (s.balance + amount > 1e15) throw new Error('Balance limit');
};

export const Account = defineState<AccountState, ReturnType<typeof Deposited>>({
  initial: initialAccount,
  evolve: evolveAccount,
});

export const deposit = defineReceptor({
  command: Deposit,
  stream: (c) => `account-${c.data.accountId}`,
  state: Account,
  decide: (c, s) => {
    decideDeposit(c.data.amount, s);
    return Deposited(c.data);
  },
});

export const balances = definePerspective({
  name: 'balances',
  events: [Deposited],
  key: (e) => e.data.accountId,
  initial: initialAccount,
  apply: evolveAccount,
});

/** Account ids used round-robin. */
export const ACCOUNTS: string[] = Array.from({ length: 1000 }, (_, i) => `acc-${i}`);
