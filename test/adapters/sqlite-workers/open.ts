/**
 * Opens a file on `go` (with several copies started at once, they race to create and migrate it)
 * and appends one event. Prints `ready <runtime>`, then `opened <version>`.
 *
 * Usage: open.ts <path> <name> on Node, Bun or Deno (see harness.ts)
 */
import { sqliteDriver } from './engine.ts';
import { args, fail, ready, say, waitForGo } from './io.ts';

const [path, name] = args(2) as [string, string];
try {
  ready();
  await waitForGo();
  const driver = sqliteDriver({ path });
  const result = await driver.ledger.append('opened', [{ type: 'Opened', data: { name } }]);
  driver.close();
  say(`opened ${result.version}`);
  process.exit(0);
} catch (error) {
  fail(error);
}
