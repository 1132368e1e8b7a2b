/**
 * One replica process of the sync chaos run (see `replica-core.ts`): SQLite, the JetStream log over
 * TCP, orders as JSON lines on stdin and answers on stdout; an armed point kills it with SIGKILL,
 * and the run may kill it from outside at any moment.
 * Usage: node --import tsx replica.ts <file> <servers> <stream> <prefix>
 */
import { createInterface } from 'node:readline';
import { jetstreamLedger } from '../../../adapters/nats/node.ts';
import { sqliteDriver } from '../../../adapters/sqlite/mod.ts';
import type { Order } from './protocol.ts';
import { chaosReplica } from './replica-core.ts';

const [file, servers, stream, prefix] = process.argv.slice(2) as [string, string, string, string];
const shared = await jetstreamLedger({ servers, stream, prefix });
const { obey } = chaosReplica({
  shared,
  driver: sqliteDriver({ path: file }),
  die: () => {
    process.kill(process.pid, 'SIGKILL');
    throw new Error('killed');
  },
});
const say = (line: unknown): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

// orders are obeyed one at a time, in order
let queue = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  const order = JSON.parse(line) as Order;
  queue = queue
    .then(async () => {
      say(await obey(order));
      if (order.op === 'close') process.exit(0);
    })
    .catch((error) => say({ re: 'failed', error: String(error) }));
});
say({ re: 'ready' });
