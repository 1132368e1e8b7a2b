/**
 * Two offline replicas of the bank, one on SQLite in Node and one on IndexedDB in real Chromium,
 * syncing through a nats-server of the test's own (TCP for Node, WebSocket for the page): they
 * write conflicting commands to the same account offline, sync, and converge on the outcome the
 * receptor decides, the conflict reported in the tab and kept across a reload.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jetstreamLedger } from '../../adapters/nats/node.ts';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import {
  accounts,
  createBank,
  Deposit,
  OpenAccount,
  Withdraw,
} from '../../examples/bank/domain.ts';
import { streamsOf } from '../../js/conformance/sync/ledgers.ts';
import { offlineDriver } from '../../js/sync/driver.ts';
import { startSync } from '../../js/sync/engine.ts';
import type { SyncConflict } from '../../js/sync/records.ts';
import { chromiumReachable, loadBrowser, syncPageCaller } from '../support/browser.ts';
import {
  natsServerInstalled,
  type OwnNatsServer,
  startNatsServer,
} from '../support/nats-server.ts';
import { reachable } from '../support/services.ts';

interface TabState {
  balance: number | undefined;
  pending: number;
  conflicts: SyncConflict[];
  heard: string[];
  streams: Array<[string, unknown[]]>;
}
type Sync = {
  open(o: { url: string; name: string; stream: string; prefix: string }): Promise<void>;
  send(kind: 'deposit' | 'withdraw', data: { accountId: string; amount: number }): Promise<string>;
  run(): Promise<Record<string, number>>;
  state(): Promise<TabState>;
  close(): Promise<void>;
};

const installed = await reachable(
  'nats-server binary (offline sync in Chromium)',
  async () => {
    if (!natsServerInstalled()) throw new Error('no nats-server binary');
  },
  'Install nats-server (apt-get install nats-server) or set NATS_SERVER_BIN.',
);
const browser = await loadBrowser();
const chromium = installed && (await chromiumReachable(browser, 'offline sync in the browser'));

let server: OwnNatsServer | undefined;
const dir = mkdtempSync(join(tmpdir(), 'whizbang-sync-browser-'));
afterAll(async () => {
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!chromium)('offline sync: a Node replica and a Chromium tab', () => {
  it('converge on what the receptor decides, the conflict reported in the tab and kept across a reload', async () => {
    server = await startNatsServer('', { websocket: true });
    const log = { stream: 'WB_SYNC_BROWSER', prefix: 'wbsb' };
    const remote = await jetstreamLedger({ servers: server.url, ...log });
    const node = createBank({
      driver: offlineDriver(sqliteDriver({ path: join(dir, 'node.db') })),
    });
    const nodeSync = startSync(node, { remote });
    const site = await browser.serve(await browser.bundle('test/browser/sync-page.mjs'));
    const launched = await browser.launch();
    try {
      const openTab = async () => {
        const { page, errors } = await browser.openPage(launched.context, site.url);
        const call = syncPageCaller<Sync>(page);
        await call((s, o) => s.open(o), { url: server!.wsUrl!, name: 'bank-tab', ...log });
        return { page, errors, call };
      };

      // the account, opened in Node, reaches the tab
      await node.send(OpenAccount({ accountId: 'acc', owner: 'Ada' }));
      await node.send(Deposit({ accountId: 'acc', amount: 100 }));
      expect(await nodeSync.run()).toMatchObject({ pushed: 2 });
      let tab = await openTab();
      expect(await tab.call((s) => s.run(), null)).toMatchObject({ pulled: 2 });

      // offline on both sides: Node withdraws 80; the tab deposits 5, then withdraws 70
      await node.send(Withdraw({ accountId: 'acc', amount: 80 }));
      expect(await tab.call((s) => s.send('deposit', { accountId: 'acc', amount: 5 }), null)).toBe(
        'ok',
      );
      expect(
        await tab.call((s) => s.send('withdraw', { accountId: 'acc', amount: 70 }), null),
      ).toBe('ok');
      expect((await tab.call((s) => s.state(), null)).balance).toBe(35);

      // online: Node first; the tab's deposit is decided again and kept, its withdrawal refused
      expect(await nodeSync.run()).toMatchObject({ pushed: 1 });
      expect(await tab.call((s) => s.run(), null)).toMatchObject({
        pulled: 1,
        redecided: 1,
        conflicts: 1,
        pushed: 1,
      });
      expect(await nodeSync.run()).toMatchObject({ pulled: 1 });

      const state = await tab.call((s) => s.state(), null);
      expect(state.balance).toBe(25);
      expect((await node.lens(accounts).get('acc'))?.balance).toBe(25);
      expect(state.pending).toBe(0);
      expect(state.heard).toEqual([expect.stringMatching(/overdraft/)]);
      expect(state.conflicts).toMatchObject([
        { streamId: 'account-acc', command: { type: 'Withdraw', data: { amount: 70 } } },
      ]);
      const truth = [...(await streamsOf(remote))];
      expect(state.streams).toEqual(JSON.parse(JSON.stringify(truth)));
      expect(JSON.parse(JSON.stringify([...(await streamsOf(node.ledger))]))).toEqual(
        JSON.parse(JSON.stringify(truth)),
      );

      // a reload: the tab's replica, its cursor and the conflict are still there
      await tab.call((s) => s.close(), null);
      await tab.page.close();
      tab = await openTab();
      expect(await tab.call((s) => s.run(), null)).toMatchObject({ pulled: 0, pushed: 0 });
      const again = await tab.call((s) => s.state(), null);
      expect(again.balance).toBe(25);
      expect(again.conflicts).toHaveLength(1);
      await tab.call((s) => s.close(), null);
      expect(tab.errors).toEqual([]);
    } finally {
      await launched.close();
      await site.close();
      await node.close();
      await remote.close();
    }
  }, 120_000);
});
