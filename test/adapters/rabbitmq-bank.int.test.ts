/**
 * The bank scenario across two processes over RabbitMQ: the bank of the example runs in a child
 * process; a teller app here sends it commands through its outbox (OpenAccount, Deposit), invokes
 * its receptors (GetBalance, Withdraw: values and typed errors come back), and handles the events
 * the bank publishes (MoneyDeposited, MoneyWithdrawn), each once, in the same correlation.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { rabbitmqTransport } from '../../adapters/rabbitmq/node.ts';
import {
  Deposit,
  GetBalance,
  MoneyDeposited,
  MoneyWithdrawn,
  OpenAccount,
  Withdraw,
} from '../../examples/bank/domain.ts';
import { caught, sleep } from '../../js/conformance/helpers.ts';
import { isRemoteError, isWhizbangError, whizbang } from '../../js/mod.ts';
import { startReady } from '../support/child.ts';
import { dropTopology, runName } from '../support/rabbitmq-topology.ts';
import { RABBITMQ_URL, rabbitmqReachable } from '../support/services.ts';

const up = await rabbitmqReachable('RabbitMQ bank scenario');
const exchange = runName('bank');
afterAll(async () => {
  if (up) await dropTopology(RABBITMQ_URL, exchange).catch(() => undefined);
});

async function until(check: () => boolean, what: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out: ${what()}`);
    await sleep(5);
  }
}

describe.skipIf(!up)('the bank across two processes over RabbitMQ', () => {
  it('commands through the outbox, invocations answered, events handled by the other app once', async () => {
    const bank = await startReady(
      fileURLToPath(new URL('./rabbitmq-bank/bank.ts', import.meta.url)),
      [RABBITMQ_URL, exchange],
    );
    const transport = await rabbitmqTransport({
      urls: RABBITMQ_URL,
      exchange,
      queueExpiry: { groupMs: 60_000 },
    });
    const statement: Array<{ type: string; amount: number; correlationId: string }> = [];
    const teller = whizbang('teller')
      .route(OpenAccount, { to: 'outbox' })
      .route(Deposit, { to: 'outbox' })
      .route<typeof Withdraw, unknown>(Withdraw, { to: 'remote', timeoutMs: 10_000 })
      .route<typeof GetBalance, number>(GetBalance, { to: 'remote', timeoutMs: 10_000 })
      .on(MoneyDeposited, (e) => {
        statement.push({ type: e.type, amount: e.data.amount, correlationId: e.correlationId });
      })
      .on(MoneyWithdrawn, (e) => {
        statement.push({ type: e.type, amount: e.data.amount, correlationId: e.correlationId });
      })
      .build();
    const listening = await teller.listen(transport);
    const relay = teller.relay(transport, { pollMs: 20 });
    try {
      const opened = await teller.send(
        OpenAccount({ accountId: 'ada', owner: 'Ada', overdraftLimit: 50 }),
      );
      expect(opened.status).toBe('queued');
      const deposited = await teller.send(Deposit({ accountId: 'ada', amount: 100 }));
      await until(
        () => statement.length === 1,
        () => `the bank's MoneyDeposited, got ${JSON.stringify(statement)}`,
      );
      expect(statement[0]).toEqual({
        type: 'MoneyDeposited',
        amount: 100,
        correlationId: deposited.correlationId,
      });
      expect(await teller.localInvoke(GetBalance({ accountId: 'ada' }))).toBe(100);

      const withdrawn = await teller.localInvoke(Withdraw({ accountId: 'ada', amount: 30 }));
      expect(withdrawn).toMatchObject({ type: 'MoneyWithdrawn', data: { amount: 30 } });
      const refused = await caught(() =>
        teller.localInvoke(Withdraw({ accountId: 'ada', amount: 500 })),
      );
      expect(isRemoteError(refused)).toBe(true);
      expect(refused).toMatchObject({
        code: 'REMOTE_FAILED',
        remoteName: 'BankError',
        message: 'Withdrawal refused: account ada would go below its overdraft limit of 50.',
      });
      await until(
        () => statement.length === 2,
        () => `the bank's MoneyWithdrawn, got ${JSON.stringify(statement)}`,
      );
      await sleep(200);
      expect(statement.map((s) => [s.type, s.amount])).toEqual([
        ['MoneyDeposited', 100],
        ['MoneyWithdrawn', 30],
      ]);
      expect(await teller.localInvoke(GetBalance({ accountId: 'ada' }))).toBe(70);

      // the bank goes: its queues go with it, and nobody answers any more
      const exited = new Promise((resolve) => bank.once('exit', resolve));
      bank.stdin!.end();
      expect(await exited).toBe(0);
      const gone = await caught(() => teller.localInvoke(GetBalance({ accountId: 'ada' })));
      expect(isWhizbangError(gone, 'NO_RESPONDER')).toBe(true);
    } finally {
      if (bank.exitCode === null) bank.kill();
      await relay.stop();
      await listening.close();
      await teller.close();
      await transport.close();
    }
  }, 60_000);
});
