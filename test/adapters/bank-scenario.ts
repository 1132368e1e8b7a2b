import { expect } from 'vitest';
import {
  accounts,
  createBank,
  Deposit,
  GetBalance,
  OpenAccount,
  Transfer,
  totals,
  transfers,
} from '../../examples/bank/domain.ts';
import type { Driver } from '../../js/mod.ts';

/**
 * The whole bank on a driver: commands, cascades, inline and async perspectives; then a second app
 * on the same storage (`open` again) resumes from what the first left: state, checkpoints, rebuild.
 */
export async function bankAcrossReopen(open: () => Driver | Promise<Driver>): Promise<void> {
  const bank = createBank({ driver: await open() });
  await bank.send(OpenAccount({ accountId: 'a', owner: 'Ada', overdraftLimit: 10 }));
  await bank.send(OpenAccount({ accountId: 'b', owner: 'Bob' }));
  await bank.send(Deposit({ accountId: 'a', amount: 100 }));
  await bank.send(Transfer({ transferId: 't1', from: 'a', to: 'b', amount: 60 }));
  await bank.waitForPerspectives();
  expect(await bank.lens(accounts).query({ orderBy: { accountId: 'asc' } })).toMatchObject([
    { accountId: 'a', balance: 40 },
    { accountId: 'b', balance: 60 },
  ]);
  expect(await bank.lens(transfers).get('t1')).toMatchObject({ status: 'completed' });
  expect(await bank.lens(totals).get('bank')).toEqual({
    accounts: 2,
    deposited: 160,
    withdrawn: 60,
  });
  await bank.close();

  const again = createBank({ driver: await open() });
  expect(await again.localInvoke(GetBalance({ accountId: 'a' }))).toBe(40);
  await again.localInvokeAndSync(Deposit({ accountId: 'b', amount: 1 }));
  expect(await again.lens(totals).get('bank')).toMatchObject({ deposited: 161 }); // resumed from its checkpoint
  await again.rebuild(accounts);
  expect(await again.lens(accounts).get('b')).toMatchObject({ balance: 61 });
  await again.close();
}
