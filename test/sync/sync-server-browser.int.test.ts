/**
 * Server mode in real Chromium: a tab on IndexedDB and a Node replica on SQLite, each logged in
 * to a nats-server of the test's own as a user with only `syncPermissions()` (the tab over
 * WebSocket), push their commands to the sync server; their conflicting withdrawals end with the
 * server's decision in both, the refused one a conflict in the tab.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  jetstreamDriver,
  jetstreamLedger,
  natsSyncLink,
  natsSyncServer,
  syncInboxPrefix,
} from '../../adapters/nats/node.ts';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import {
  accounts,
  createBank,
  Deposit,
  OpenAccount,
  Withdraw,
} from '../../examples/bank/domain.ts';
import { streamsOf } from '../../js/conformance/sync/ledgers.ts';
import { authoritativeDriver, offlineDriver, startSync, syncServer } from '../../js/sync/mod.ts';
import { chromiumReachable, loadBrowser, syncPageCaller } from '../support/browser.ts';
import { natsServerAvailable, type OwnNatsServer } from '../support/nats-server.ts';
import { startSyncNatsServer, syncPassword } from '../support/sync-nats-server.ts';

type Page = {
  open(o: Record<string, string>): Promise<void>;
  send(kind: 'deposit' | 'withdraw', data: { accountId: string; amount: number }): Promise<string>;
  run(): Promise<Record<string, number>>;
  state(): Promise<{
    balance: number | undefined;
    pending: number;
    conflicts: Array<{ code: string; command?: { type: string } }>;
    streams: unknown[];
  }>;
  close(): Promise<void>;
};

const installed = await natsServerAvailable('sync server mode in Chromium');
const browser = await loadBrowser();
const chromium = installed && (await chromiumReachable(browser, 'sync server mode in the browser'));

const log = { stream: 'MULTIUSER_BROWSER', prefix: 'mub.log' };
const subject = 'mub.push';
let server: OwnNatsServer | undefined;
const dir = mkdtempSync(join(tmpdir(), 'multiuser-sync-server-browser-'));
afterAll(async () => {
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!chromium)('sync server mode: a Chromium tab and a Node replica', () => {
  it('push commands with only their permissions and end with the server’s decisions', async () => {
    const started = await startSyncNatsServer(
      ['ann', 'tab'],
      (user) => ({ user, subject, stream: log.stream }),
      { websocket: true },
    );
    server = started.server;
    const { admin } = started;
    const bank = createBank({
      driver: authoritativeDriver(await jetstreamDriver({ connection: admin, ...log })),
    });
    const allow = () => true;
    const listening = await natsSyncServer(
      syncServer(bank, { authorize: { OpenAccount: allow, Deposit: allow, Withdraw: allow } }),
      { connection: admin, subject, principal: (user) => ({ userId: user, tenant: 'default' }) },
    );
    const login = { servers: server.url, user: 'ann', pass: syncPassword('ann') };
    const remote = await jetstreamLedger({
      ...login,
      ...log,
      options: { inboxPrefix: syncInboxPrefix('ann') },
    });
    const link = await natsSyncLink({ ...login, subject, as: 'ann' });
    const node = createBank({ driver: offlineDriver(sqliteDriver({ path: join(dir, 'ann.db') })) });
    const nodeSync = startSync(node, { remote, server: link });
    const site = await browser.serve(await browser.bundle('test/browser/sync-page.mjs'));
    const launched = await browser.launch();
    try {
      const { page, errors } = await browser.openPage(launched.context, site.url);
      const call = syncPageCaller<Page>(page);
      await call((s, o) => s.open(o), {
        url: server.wsUrl!,
        name: 'bank-server-mode',
        ...log,
        subject,
        as: 'tab',
        pass: syncPassword('tab'),
      });

      await node.send(OpenAccount({ accountId: 'acc', owner: 'Ann' }));
      await node.send(Deposit({ accountId: 'acc', amount: 100 }));
      expect(await nodeSync.run()).toMatchObject({ pushed: 2, confirmed: 2 });
      expect(await call((s) => s.run(), null)).toMatchObject({ pulled: 2 });

      // offline on both sides: Ann withdraws 80; the tab deposits 5, then withdraws 70
      await node.send(Withdraw({ accountId: 'acc', amount: 80 }));
      expect(await call((s) => s.send('deposit', { accountId: 'acc', amount: 5 }), null)).toBe(
        'ok',
      );
      expect(await call((s) => s.send('withdraw', { accountId: 'acc', amount: 70 }), null)).toBe(
        'ok',
      );
      expect(await nodeSync.run()).toMatchObject({ pushed: 1, conflicts: 0 });
      expect(await call((s) => s.run(), null)).toMatchObject({ conflicts: 1 });
      expect(await nodeSync.run()).toMatchObject({ pulled: 1 });

      const state = await call((s) => s.state(), null);
      expect(state.balance).toBe(25);
      expect(state.pending).toBe(0);
      expect(state.conflicts).toMatchObject([
        { code: 'COMMAND_REFUSED', command: { type: 'Withdraw' } },
      ]);
      const truth = JSON.parse(JSON.stringify([...(await streamsOf(remote))]));
      expect(state.streams).toEqual(truth);
      expect(JSON.parse(JSON.stringify([...(await streamsOf(node.ledger))]))).toEqual(truth);
      expect((await node.lens(accounts).get('acc'))?.balance).toBe(25);
      await call((s) => s.close(), null);
      expect(errors).toEqual([]);
    } finally {
      await launched.close();
      await site.close();
      await node.close();
      await remote.close();
      await link.close();
      await listening.close();
      await bank.close();
      await admin.close();
    }
  }, 120_000);
});
