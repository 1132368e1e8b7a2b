/**
 * Subscribes from position 1 and prints `event <position> <stream> <version> <messageId>` for each
 * event delivered. Prints `ready <runtime>` once caught up with the head it found, then relies on
 * the ledger's `watch` alone. After `expected` events it waits a little for any extra delivery,
 * prints `done` and exits.
 *
 * Usage: subscribe.ts <path> <expected> on Node, Bun or Deno (see harness.ts)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { subscribe } from '../../../js/runtime/subscription.ts';
import { sqliteDriver } from './engine.ts';
import { args, fail, ready, say } from './io.ts';

const [path, total] = args(2) as [string, string];
try {
  const driver = sqliteDriver({ path });
  let seen = 0;
  const sub = subscribe(
    driver.ledger,
    (e) => {
      seen++;
      say(`event ${e.position} ${e.streamId} ${e.version} ${e.messageId}`);
    },
    { from: 1, batchSize: 7, onError: fail },
  );
  await sub.waitFor();
  ready();
  for (let i = 0; seen < Number(total); i++) {
    if (i > 30_000) fail(`saw ${seen} of ${total} events`);
    await sleep(1);
  }
  await sleep(300); // anything delivered twice would show up here
  await sub.stop();
  driver.close();
  say('done');
  process.exit(0);
} catch (error) {
  fail(error);
}
