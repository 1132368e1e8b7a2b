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
import { type Driver, memoryTransport } from '../../js/mod.ts';

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

/** A command the receptor refuses leaves nothing in the storage. */
export async function bankRefusalKeepsNothing(open: () => Driver | Promise<Driver>): Promise<void> {
  const bank = createBank({ driver: await open() });
  await bank.send(OpenAccount({ accountId: 'a', owner: 'Ada' }));
  const head = await bank.ledger.headPosition();
  await expect(bank.send(Deposit({ accountId: 'a', amount: -1 }))).rejects.toThrow(/positive/);
  expect(await bank.ledger.headPosition()).toBe(head);
  await bank.close();
}

/** A message delivered twice is handled once: the inbox in the storage says so. */
export async function bankInboxOnce(open: () => Driver | Promise<Driver>): Promise<void> {
  const transport = memoryTransport();
  const receiver = createBank({ driver: await open() });
  await receiver.send(OpenAccount({ accountId: 'r', owner: 'Rita' }));
  await receiver.listen(transport, { topics: ['whizbang.commands.Deposit'] });
  const wire = {
    message: Deposit({ accountId: 'r', amount: 5 }),
    messageId: '01900000-0000-7000-8000-00000000000a',
    correlationId: '01900000-0000-7000-8000-00000000000a',
    causationId: '01900000-0000-7000-8000-00000000000a',
    tenant: 'default',
    timestamp: Date.now(),
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    hops: [],
  };
  await transport.publish('whizbang.commands.Deposit', wire);
  await transport.publish('whizbang.commands.Deposit', wire);
  for (let i = 0; i < 200 && (await receiver.ledger.streamVersion('account-r')) < 2; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 20));
  expect(await receiver.ledger.streamVersion('account-r')).toBe(2); // opened + one deposit, not two
  expect(await receiver.store.outbox!.handled('default', wire.messageId)).toBe(true);
  await transport.close();
  await receiver.close();
}
