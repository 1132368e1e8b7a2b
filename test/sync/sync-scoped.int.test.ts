/**
 * Tenant-scoped replicas in server mode, on a nats-server of the test's own: each replica's user
 * may read only its tenant's subjects (`syncPermissions({ …, tenant })`) and syncs through
 * `scopedLedger`; it receives its tenant's events and nothing of another tenant's, and NATS
 * refuses it every other way to read the log.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jetstreamDriver,
  jetstreamLedger,
  natsSyncLink,
  natsSyncServer,
  type ScopedLedger,
  scopedLedger,
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
import { authoritativeDriver, offlineDriver, startSync, syncServer } from '../../js/sync/mod.ts';
import { natsServerAvailable, type OwnNatsServer } from '../support/nats-server.ts';
import { startSyncNatsServer, syncPassword } from '../support/sync-nats-server.ts';

const up = await natsServerAvailable('tenant-scoped sync');
const stream = 'MULTIUSER_SCOPED';
const prefix = 'scoped.log';
const subject = 'scoped.push';
const tenants: Record<string, string> = { ann: 'acme', zed: 'globex' };
let server: OwnNatsServer | undefined;
let admin: NatsConnection;
const closers: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  if (!up) return;
  ({ server, admin } = await startSyncNatsServer(Object.keys(tenants), (user) => ({
    user,
    subject,
    stream,
    tenant: tenants[user]!,
    prefix,
  })));
  const bank = createBank({
    driver: authoritativeDriver(await jetstreamDriver({ connection: admin, stream, prefix })),
  });
  const allow = () => true;
  const listening = await natsSyncServer(
    syncServer(bank, { authorize: { OpenAccount: allow, Deposit: allow, Withdraw: allow } }),
    {
      connection: admin,
      subject,
      principal: (user) =>
        tenants[user] === undefined ? undefined : { userId: user, tenant: tenants[user]! },
    },
  );
  closers.push(
    () => listening.close(),
    () => bank.close(),
  );
}, 60_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await admin?.close();
  await server?.dispose();
});

async function replica(user: string) {
  const nc = await connect({
    servers: server!.url,
    user,
    pass: syncPassword(user),
    inboxPrefix: syncInboxPrefix(user),
  });
  const remote: ScopedLedger = await scopedLedger({
    connection: nc,
    stream,
    prefix,
    tenant: tenants[user]!,
  });
  const link = await natsSyncLink({ connection: nc, subject, as: user });
  const app = createBank({ driver: offlineDriver(sqliteDriver({ path: ':memory:' })) });
  const sync = startSync(app, { remote, server: link });
  closers.push(
    () => nc.close(),
    () => app.close(),
    () => remote.close(),
  );
  return { nc, app, remote, sync, tenant: { tenant: tenants[user]! } };
}

describe.skipIf(!up)('tenant-scoped replicas', () => {
  it('receive their tenant’s events only, and NATS refuses them every other read', async () => {
    const ann = await replica('ann');
    const zed = await replica('zed');
    await ann.app.send(OpenAccount({ accountId: 'a', owner: 'ann' }), ann.tenant);
    await ann.app.send(Deposit({ accountId: 'a', amount: 10 }), ann.tenant);
    await zed.app.send(OpenAccount({ accountId: 'z', owner: 'zed' }), zed.tenant);
    expect(await ann.sync.run()).toMatchObject({ pushed: 2, confirmed: 2 });
    expect(await zed.sync.run()).toMatchObject({ pushed: 1, confirmed: 1, pulled: 0 });
    await zed.app.send(Deposit({ accountId: 'z', amount: 99 }), zed.tenant);
    await zed.sync.run();

    // Ann's second round: nothing of globex comes; her own refused withdrawal is a conflict
    await ann.app.send(Withdraw({ accountId: 'a', amount: 4 }), ann.tenant);
    expect(await ann.sync.run()).toMatchObject({ pulled: 0, pushed: 1, confirmed: 1 });
    const all = await jetstreamLedger({ connection: admin, stream, prefix });
    closers.push(() => all.close());
    expect((await all.readAll()).map((e) => e.tenant).sort()).toEqual([
      'acme',
      'acme',
      'acme',
      'globex',
      'globex',
    ]);
    const annEvents = await ann.app.ledger.readAll();
    expect(annEvents.map((e) => e.tenant)).toEqual(['acme', 'acme', 'acme']);
    expect((await ann.remote.readAll()).every((e) => e.tenant === 'acme')).toBe(true);
    expect((await zed.app.ledger.readAll()).map((e) => e.tenant)).toEqual(['globex', 'globex']);
    expect((await ann.app.lens(accounts).get('a', ann.tenant))?.balance).toBe(6);
    expect(await ann.remote.streamVersion('account-a', ann.tenant)).toBe(3);
    await expect(ann.remote.readStream('account-z', zed.tenant)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });

    // every other way to read is refused by NATS: another tenant's filter, the whole log, gets
    const other = await scopedLedger({ connection: ann.nc, stream, prefix, tenant: 'globex' });
    await expect(other.readAll()).rejects.toThrow(/[Pp]ermission/);
    await expect(jetstreamLedger({ connection: ann.nc, stream, prefix })).rejects.toThrow();
    const jsm = await jetstreamManager(ann.nc);
    await expect(jsm.streams.getMessage(stream, { seq: 1 })).rejects.toThrow(/[Pp]ermission/);
    await expect(jsm.streams.info(stream)).rejects.toThrow(/[Pp]ermission/);
    await expect(
      jsm.consumers.add(stream, { name: 'peek', filter_subject: `${prefix}.>` }),
    ).rejects.toThrow(/[Pp]ermission/);
    await expect(ann.remote.append()).rejects.toMatchObject({ code: 'FORBIDDEN' });

    // background sync wakes on its tenant's commits: a watch through a filtered consumer
    const woke = new Promise<void>((resolve) => {
      const stop = ann.remote.watch(() => {
        stop();
        resolve();
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 200)); // the watch's consumer starts
    await zed.app.send(Deposit({ accountId: 'z', amount: 1 }), zed.tenant);
    await zed.sync.run();
    await ann.app.send(Deposit({ accountId: 'a', amount: 1 }), ann.tenant);
    await ann.sync.run();
    await woke;
    expect((await ann.app.ledger.readAll()).every((e) => e.tenant === 'acme')).toBe(true);
  }, 60_000);
});
