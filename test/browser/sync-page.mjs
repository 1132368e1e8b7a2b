/**
 * The offline sync test page: the bank on IndexedDB in this tab, built on `offlineDriver`, syncing
 * with the JetStream shared log over WebSocket (`wsconnect`). `test/sync/sync-browser.int.test.ts`
 * drives it, with a Node replica on SQLite beside it.
 */
import { wsconnect } from '@nats-io/nats-core';
import { indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import { jetstreamLedger } from '../../adapters/nats/mod.ts';
import { accounts, createBank, Deposit, Withdraw } from '../../examples/bank/domain.ts';
import { streamsOf } from '../../js/conformance/sync/ledgers.ts';
import { offlineDriver, startSync } from '../../js/sync/mod.ts';

let app;
let sync;
let remote;
const conflicts = [];

globalThis.whizbangSync = {
  async open({ url, name, stream, prefix }) {
    remote = await jetstreamLedger({ servers: url, connect: wsconnect, stream, prefix });
    app = createBank({ driver: offlineDriver(await indexedDbDriver({ name })) });
    sync = startSync(app, { remote, onConflict: (c) => conflicts.push(c) });
  },
  async send(kind, data) {
    try {
      await app.send(kind === 'deposit' ? Deposit(data) : Withdraw(data));
      return 'ok';
    } catch (error) {
      return error.message;
    }
  },
  run: () => sync.run(),
  async state() {
    return {
      balance: (await app.lens(accounts).get(globalThis.whizbangSync.account))?.balance,
      pending: (await sync.pending()).length,
      conflicts: await sync.conflicts.query(),
      heard: conflicts.map((c) => c.message),
      streams: [...(await streamsOf(app.ledger))],
    };
  },
  account: 'acc',
  async close() {
    await app.close();
    await remote.close();
  },
};
globalThis.whizbangPage = { ready: true };
