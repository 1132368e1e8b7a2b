/**
 * A bank in a process of its own: connects to NATS (argv: url, prefix), answers Deposit
 * invocations, prints "ready", and closes when its stdin ends (the test ends it, or died).
 */
import { natsTransport } from '../../../adapters/nats/node.ts';
import { bank } from '../../support/invoke-bank.ts';

const [url, prefix] = process.argv.slice(2);
const transport = await natsTransport({ servers: url!, prefix: prefix! });
const { app } = bank(`process-${process.pid}`);
const listening = await app.listen(transport);
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.on('end', async () => {
  await listening.close();
  await app.close();
  await transport.close();
  process.exit(0);
});
