/**
 * A syncing process for the crash tests: opens a SQLite replica of the bank and syncs it with the
 * JetStream shared log until nothing is pending, printing `synced` at the end. With
 * `--crash-after-push`, it kills itself (SIGKILL) right after one push lands and before its local
 * cursor and pending records are written: the moment a crash costs the most.
 * `PUSH_WINDOW` sets how many commits it pushes at once.
 * Usage: node --import tsx sync-worker.ts <file> <servers> <stream> <prefix> [--crash-after-push]
 */
import { jetstreamLedger } from '../../adapters/nats/node.ts';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { createBank } from '../../examples/bank/domain.ts';
import { afterAppend } from '../../js/conformance/sync/ledgers.ts';
import type { Ledger } from '../../js/contracts/ledger.ts';
import { offlineDriver } from '../../js/sync/driver.ts';
import { startSync } from '../../js/sync/engine.ts';

const [file, servers, stream, prefix, mode] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string | undefined,
];
const shared = await jetstreamLedger({ servers, stream, prefix });
const remote: Ledger =
  mode === '--crash-after-push'
    ? afterAppend(shared, () => {
        process.stdout.write('pushed\n');
        process.kill(process.pid, 'SIGKILL');
      })
    : shared;
const app = createBank({ driver: offlineDriver(sqliteDriver({ path: file })) });
const sync = startSync(app, { remote, pushWindow: Number(process.env.PUSH_WINDOW ?? 256) });
process.stdout.write('ready\n');
for (;;) {
  await sync.run();
  if ((await sync.pending()).length === 0) break;
}
process.stdout.write('synced\n');
await app.close();
await shared.close();
