/**
 * Opens a file on `go` (with several copies started at once, they race to create and migrate it)
 * and appends one event. Prints `ready`, then `opened <version>`.
 *
 * Usage: node --import tsx open.ts <path> <name>
 */
import { sqliteDriver } from '../../../adapters/sqlite/mod.ts';
import { args, fail, say, waitForGo } from './io.ts';

const [path, name] = args(2) as [string, string];
try {
  say('ready');
  await waitForGo();
  const driver = sqliteDriver({ path });
  const result = await driver.ledger.append('opened', [{ type: 'Opened', data: { name } }]);
  driver.close();
  say(`opened ${result.version}`);
  process.exit(0);
} catch (error) {
  fail(error);
}
