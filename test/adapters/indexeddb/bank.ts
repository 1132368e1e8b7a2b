/**
 * The whole runtime on IndexedDB: what the memory driver does, the database does too,
 * asynchronously at every step. Node runs it on fake-indexeddb, test/browser/ in Chromium.
 * Imports nothing of Node, so that it bundles for the browser.
 */
import { describe, expect, it } from 'vitest';
import type { IndexedDbDriver } from '../../../adapters/indexeddb/mod.ts';
import { createBank, Deposit, OpenAccount } from '../../../examples/bank/domain.ts';
import { memoryTransport } from '../../../js/mod.ts';
import { bankAcrossReopen } from '../bank-scenario.ts';

/** Registers the bank's tests; `open` opens a driver on a database name, `name` gives a new one. */
export function bankOnIndexedDb(
  label: string,
  open: (name: string) => Promise<IndexedDbDriver>,
  name: () => string,
): void {
  describe(`${label}: the bank`, () => {
    it('runs commands, cascades and perspectives, and keeps them across a reopen', async () => {
      const db = name();
      await bankAcrossReopen(() => open(db));
    });

    it('rolls back a refused command: nothing in the database', async () => {
      const bank = createBank({ driver: await open(name()) });
      await bank.send(OpenAccount({ accountId: 'a', owner: 'Ada' }));
      const head = await bank.ledger.headPosition();
      await expect(bank.send(Deposit({ accountId: 'a', amount: -1 }))).rejects.toThrow(/positive/);
      expect(await bank.ledger.headPosition()).toBe(head);
      await bank.close();
    });

    it('handles a message delivered twice once, through the inbox', async () => {
      const transport = memoryTransport();
      const receiver = createBank({ driver: await open(name()) });
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
    });
  });
}
