/**
 * One of several processes racing on one stream as a command handler would: load the stream,
 * decide (a pause of up to a millisecond, in which the other process may append), append with the
 * version it loaded, and on a ConcurrencyError count a loss and try again, until it has won `wins`
 * appends. Prints `ready <runtime>`, waits for `go`, then prints `done <json>` with what it won and
 * how each loss looked.
 *
 * Usage: contend.ts <path> <stream> <name> <wins> on Node, Bun or Deno (see harness.ts)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isConcurrencyError } from '../../../js/util/errors.ts';
import { sqliteDriver } from './engine.ts';
import { args, fail, ready, say, waitForGo } from './io.ts';

const [path, stream, name, target] = args(4) as [string, string, string, string];
const goal = Number(target);
try {
  const driver = sqliteDriver({ path });
  ready();
  await waitForGo();
  const won: number[] = [];
  const losses = { count: 0, codes: new Set<string>(), names: new Set<string>(), misreported: 0 };
  for (let attempt = 1; won.length < goal; attempt++) {
    if (attempt > goal * 100) fail(`no progress after ${attempt} attempts`);
    const expected = driver.ledger.readStream(stream).length;
    await sleep(attempt % 2); // deciding; 0 still yields to the event loop
    try {
      const result = await driver.ledger.append(
        stream,
        [{ type: 'Won', data: { worker: name, attempt } }],
        { expectedVersion: expected },
      );
      won.push(result.version);
    } catch (error) {
      if (!isConcurrencyError(error)) throw error;
      losses.count++;
      losses.codes.add(error.code);
      losses.names.add(error.name);
      // the error must say what the append expected and that the stream had moved on
      if (error.expected !== expected || error.actual <= expected || error.streamId !== stream)
        losses.misreported++;
    }
  }
  driver.close();
  say(
    `done ${JSON.stringify({
      name,
      won,
      losses: losses.count,
      codes: [...losses.codes],
      names: [...losses.names],
      misreported: losses.misreported,
    })}`,
  );
  process.exit(0);
} catch (error) {
  fail(error);
}
