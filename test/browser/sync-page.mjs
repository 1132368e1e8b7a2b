/**
 * The offline sync test page: the bank on IndexedDB in this tab, built on `offlineDriver`, syncing
 * with the JetStream shared log over WebSocket (`wsconnect`). `test/sync/sync-browser.int.test.ts`
 * drives it, with a Node replica on SQLite beside it.
 */
import { wsconnect } from '@nats-io/nats-core';
import { indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import { jetstreamLedger, natsSyncLink, syncInboxPrefix } from '../../adapters/nats/mod.ts';
import { accounts, createBank, Deposit, Withdraw } from '../../examples/bank/domain.ts';
import { streamsOf } from '../../js/conformance/sync/ledgers.ts';
import { offlineDriver, startSync } from '../../js/sync/mod.ts';

let app;
let sync;
let remote;
const conflicts = [];

globalThis.whizbangSync = {
  // with `as`, in server mode: pushes go to the sync server as that NATS user (user/pass)
  async open({ url, name, stream, prefix, as, subject, pass }) {
    const login = as === undefined ? {} : { user: as, pass };
    const inbox = as === undefined ? {} : { options: { inboxPrefix: syncInboxPrefix(as) } };
    remote = await jetstreamLedger({
      servers: url,
      connect: wsconnect,
      stream,
      prefix,
      ...login,
      ...inbox,
    });
    const server =
      as === undefined
        ? undefined
        : await natsSyncLink({ servers: url, connect: wsconnect, subject, as, ...login });
    app = createBank({ driver: offlineDriver(await indexedDbDriver({ name })) });
    sync = startSync(app, {
      remote,
      onConflict: (c) => conflicts.push(c),
      ...(server === undefined ? {} : { server }),
    });
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
