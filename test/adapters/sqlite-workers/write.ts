/**
 * Writes `count` events to two streams of its own, in batches of 1–3, pausing `pauseMs` between
 * appends so a watcher in another process sees them arrive over time. Prints `done <position>`.
 *
 * Usage: write.ts <path> <name> <count> <pauseMs> on Node, Bun or Deno (see harness.ts)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sqliteDriver } from './engine.ts';
import { args, fail, ready, say, waitForGo } from './io.ts';

const [path, name, total, pause] = args(4) as [string, string, string, string];
try {
  const driver = sqliteDriver({ path });
  ready();
  await waitForGo();
  let position = 0;
  for (let written = 0, i = 0; written < Number(total); i++) {
    const stream = `${name}-${i % 2}`;
    const count = Math.min(1 + (i % 3), Number(total) - written);
    const events = Array.from({ length: count }, (_, k) => ({
      type: 'Written',
      data: { writer: name, n: written + k },
    }));
    position = (await driver.ledger.append(stream, events)).position;
    written += count;
    if (Number(pause) > 0) await sleep(Number(pause));
  }
  driver.close();
  say(`done ${position}`);
  process.exit(0);
} catch (error) {
  fail(error);
}
