/**
 * The bank of the example (`examples/bank/domain.ts`) in a process of its own, over RabbitMQ
 * (argv: url, exchange): it takes OpenAccount and Deposit from the transport, answers Withdraw and
 * GetBalance invocations, and publishes MoneyDeposited and MoneyWithdrawn through its outbox
 * relay. It prints "ready", and closes when its stdin ends (the test ends it, or died).
 */
import { rabbitmqTransport } from '../../../adapters/rabbitmq/node.ts';
import {
  accounts,
  deposit,
  getBalance,
  MoneyDeposited,
  MoneyWithdrawn,
  openAccount,
  withdraw,
} from '../../../examples/bank/domain.ts';
import { whizbang } from '../../../js/mod.ts';

const [url, exchange] = process.argv.slice(2);
const transport = await rabbitmqTransport({
  urls: url!,
  exchange: exchange!,
  queueExpiry: { groupMs: 60_000 },
});
const app = whizbang('bank')
  .receptor(openAccount)
  .receptor(deposit)
  .receptor(withdraw)
  .receptor(getBalance)
  .perspective(accounts)
  .route(MoneyDeposited, { to: 'both' })
  .route(MoneyWithdrawn, { to: 'both' })
  .build();
const listening = await app.listen(transport);
const relay = app.relay(transport, { pollMs: 20 });
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.on('end', async () => {
  await relay.stop();
  await listening.close();
  await app.close();
  await transport.close();
  process.exit(0);
});
