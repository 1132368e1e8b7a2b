import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { createBank, Deposit, OpenAccount } from '../../examples/bank/domain.ts';
import { memoryTransport } from '../../js/mod.ts';
import { bankAcrossReopen } from './bank-scenario.ts';

// The whole runtime on a real SQLite file: what the memory driver does, the file does too.
const dir = mkdtempSync(join(tmpdir(), 'whizbang-sqlite-app-'));
let n = 0;
const file = () => join(dir, `bank${++n}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the bank on SQLite', () => {
  it('runs commands, cascades and perspectives, and keeps them across a reopen', async () => {
    const path = file();
    await bankAcrossReopen(() => sqliteDriver({ path }));
  });

  it('rolls back a refused command: nothing in the file', async () => {
    const bank = createBank({ driver: sqliteDriver({ path: file() }) });
    await bank.send(OpenAccount({ accountId: 'a', owner: 'Ada' }));
    const head = await bank.ledger.headPosition();
    await expect(bank.send(Deposit({ accountId: 'a', amount: -1 }))).rejects.toThrow(/positive/);
    expect(await bank.ledger.headPosition()).toBe(head);
    await bank.close();
  });

  it('carries the outbox and the inbox through the file', async () => {
    const transport = memoryTransport();
    const sender = createBank({ driver: sqliteDriver({ path: file() }) });
    const receiverPath = file();
    const receiver = createBank({ driver: sqliteDriver({ path: receiverPath }) });
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
    await sender.close();
    await receiver.close();
  });
});
