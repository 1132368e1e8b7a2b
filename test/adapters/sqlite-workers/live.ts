/**
 * Changes models of a file another process watches live: a command through the bank app (an
 * append with its inline perspectives), then a model written without an append (as another
 * process's async perspective does). Prints `done`.
 *
 * Usage: live.ts <path> on Node, Bun or Deno (see harness.ts)
 */
import { createBank, Deposit, OpenAccount } from '../../../examples/bank/domain.ts';
import { sqliteDriver } from './engine.ts';
import { args, fail, ready, say, waitForGo } from './io.ts';

const [path] = args(1) as [string];
try {
  const driver = sqliteDriver({ path });
  const bank = createBank({ driver });
  ready();
  await waitForGo();
  await bank.send(OpenAccount({ accountId: 'acc', owner: 'Ada' }));
  await bank.send(Deposit({ accountId: 'acc', amount: 9 }));
  await driver.store.transaction((tx) =>
    tx.put('accounts', {
      id: 'side',
      tenant: 'default',
      model: { accountId: 'side', owner: 'Bo', balance: 4, movements: 1 },
      version: 1,
      position: 0,
      updatedAt: Date.now(),
    }),
  );
  await bank.close();
  say('done');
  process.exit(0);
} catch (error) {
  fail(error);
}
