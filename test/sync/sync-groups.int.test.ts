/**
 * Stream groups in server mode, on a nats-server of the test's own whose replica users may only
 * push to their subject and listen on their inbox (`syncPermissions({ …, groups: true })`): each
 * replica reads through the server, which serves only the groups its principal may see now. Two
 * users with private lists and a shared one: nothing private crosses the wire to the other or
 * lands in its ledger; a share brings the list's history, an unshare takes it and its models away
 * (a pending command on it becomes a conflict); concurrent edits of a shared list converge; a
 * hostile replica asking for another's group or stream is refused with FORBIDDEN.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import {
  jetstreamDriver,
  jetstreamLedger,
  natsSyncLink,
  natsSyncServer,
  syncInboxPrefix,
} from '../../adapters/nats/node.ts';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { authoritativeDriver, offlineDriver, startSync, syncServer } from '../../js/sync/mod.ts';
import { natsServerAvailable, type OwnNatsServer } from '../support/nats-server.ts';
import { startSyncNatsServer, syncPassword } from '../support/sync-nats-server.ts';
import {
  AddItem,
  CreateList,
  group,
  lists,
  listsApp,
  members,
  Share,
  Unshare,
} from './groups-domain.ts';

const up = await natsServerAvailable('stream-group sync');
const stream = 'MULTIUSER_GROUPS';
const prefix = 'groups.log';
const subject = 'groups.push';
const users = ['ann', 'bob'] as const;
let server: OwnNatsServer | undefined;
let admin: NatsConnection;
const closers: Array<() => Promise<unknown> | unknown> = [];
/** Everything the server sent to Ann's inbox (answers and news), as text. */
const toAnn: string[] = [];

beforeAll(async () => {
  if (!up) return;
  ({ server, admin } = await startSyncNatsServer(users, (user) => ({
    user,
    subject,
    groups: true,
  })));
  const shared = { connection: admin, stream, prefix, group };
  const app = listsApp(authoritativeDriver(await jetstreamDriver(shared)));
  const log = await jetstreamLedger(shared);
  type Req = { command: { data: unknown }; principal: { userId: string }; app: typeof app };
  const owner = async ({ command, principal, app }: Req) =>
    (await app.lens(members).get((command.data as { list: string }).list))?.owner ===
    principal.userId;
  const member = async ({ command, principal, app }: Req) => {
    const m = await app.lens(members).get((command.data as { list: string }).list);
    return (
      m !== undefined && (m.owner === principal.userId || m.members.includes(principal.userId))
    );
  };
  const decider = syncServer(app, {
    authorize: {
      CreateList: ({ command, principal }) =>
        (command.data as { owner: string }).owner === principal.userId,
      AddItem: (r) => member(r as Req),
      Share: (r) => owner(r as Req),
      Unshare: (r) => owner(r as Req),
    },
    scope: {
      log,
      groups: async ({ principal }) =>
        (await app.lens(members).query())
          .filter((m) => m.owner === principal.userId || m.members.includes(principal.userId))
          .map((m) => `list-${m.list}`),
    },
  });
  const listening = await natsSyncServer(decider, {
    connection: admin,
    subject,
    principal: (user) =>
      (users as readonly string[]).includes(user) ? { userId: user, tenant: 'default' } : undefined,
    notify: { prefix },
  });
  const tap = admin.subscribe(`${syncInboxPrefix('ann')}.>`, {
    callback: (_, msg) => {
      toAnn.push(new TextDecoder().decode(msg.data));
    },
  });
  closers.push(
    () => tap.unsubscribe(),
    () => listening.close(),
    () => log.close(),
    () => app.close(),
  );
}, 60_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await admin?.close();
  await server?.dispose();
});

/** A replica of `user`: Ann's on IndexedDB (as in a browser tab), Bob's on SQLite. */
async function replica(user: string, pageSize = 1000, name = user) {
  const natsLink = await natsSyncLink({
    servers: server!.url,
    user,
    pass: syncPassword(user),
    as: user,
    subject,
  });
  const local =
    user === 'ann'
      ? await indexedDbDriver({ name: `groups-${name}`, indexedDB: new IDBFactory(), IDBKeyRange })
      : sqliteDriver({ path: ':memory:' });
  const app = listsApp(offlineDriver(local));
  const conflicts: string[] = [];
  // the link, with a way to cut it off at a chosen page of a fill (a pull up to a `to`)
  const cut = { at: -1, fills: 0 };
  const link = {
    push: natsLink.push,
    watch: natsLink.watch,
    pull: (request: Parameters<typeof natsLink.pull>[0]) => {
      if (request.pull === 'groups' && request.to !== undefined && ++cut.fills === cut.at) {
        return Promise.reject(new Error('cut off'));
      }
      return natsLink.pull(request);
    },
  };
  const sync = startSync(app, {
    server: link,
    group,
    intervalMs: 60_000,
    pageSize,
    onConflict: (c) => conflicts.push(`${c.code} ${c.streamId}`),
  });
  closers.push(
    () => natsLink.close(),
    () => app.close(),
  );
  return { app, sync, cut, conflicts };
}

type Replica = Awaited<ReturnType<typeof replica>>;
const streamsOf = async (r: Replica) =>
  [...new Set((await r.app.ledger.readAll()).map((e) => e.streamId))].sort();
const itemsOf = async (r: Replica, list: string) => {
  const items = (await r.app.lens(lists).get(list))?.items;
  return items === undefined ? undefined : [...items];
};

describe.skipIf(!up)('stream groups: replicas reading through the server', () => {
  it('keep private lists private, take a shared list’s history, drop it when unshared', async () => {
    const ann = await replica('ann', 2); // pages of 2: a group's history comes in several
    const bob = await replica('bob');
    await ann.app.send(CreateList({ list: 'a1', owner: 'ann', title: 'Ann’s' }));
    await ann.app.send(AddItem({ list: 'a1', text: 'ann-private-milk' }));
    await bob.app.send(CreateList({ list: 'b1', owner: 'bob', title: 'Bob’s' }));
    await bob.app.send(AddItem({ list: 'b1', text: 'bob-private-secret' }));
    await bob.app.send(CreateList({ list: 's', owner: 'bob', title: 'Shared' }));
    await bob.app.send(AddItem({ list: 's', text: 'bread' }));
    await bob.app.send(AddItem({ list: 's', text: 'butter' }));
    await bob.sync.run();
    await ann.sync.run();
    // Ann's cursor moves past the shared list's first events: a share must fill them in
    await ann.app.send(AddItem({ list: 'a1', text: 'ann-second' }));
    await ann.sync.run();
    expect(await ann.sync.pending()).toEqual([]);
    expect(await bob.sync.pending()).toEqual([]);
    expect(await streamsOf(ann)).toEqual(['list-a1']);
    expect(await streamsOf(bob)).toEqual(['list-b1', 'list-s']);

    // shared: Ann's next round takes the list's whole history, and its model
    await bob.app.send(Share({ list: 's', with: 'ann' }));
    await bob.sync.run();
    expect(await ann.sync.run()).toMatchObject({ pulled: 4, conflicts: 0 });
    expect(await streamsOf(ann)).toEqual(['list-a1', 'list-s']);
    expect(await itemsOf(ann, 's')).toEqual(['bread', 'butter']);
    expect((await ann.app.ledger.readStream('list-s')).map((e) => e.type)).toEqual([
      'ListCreated',
      'ItemAdded',
      'ItemAdded',
      'Shared',
    ]);

    // both edit the shared list offline; the server decides both; they converge
    await ann.app.send(AddItem({ list: 's', text: 'eggs' }));
    await bob.app.send(AddItem({ list: 's', text: 'jam' }));
    await ann.sync.run();
    await bob.sync.run();
    await ann.sync.run();
    const annS = (await ann.app.ledger.readStream('list-s')).map((e) => e.messageId);
    const bobS = (await bob.app.ledger.readStream('list-s')).map((e) => e.messageId);
    expect(annS).toEqual(bobS);
    expect(annS).toHaveLength(6);
    expect(await itemsOf(ann, 's')).toEqual(await itemsOf(bob, 's'));
    expect((await itemsOf(ann, 's'))?.sort()).toEqual(['bread', 'butter', 'eggs', 'jam']);

    // live: Ann's background sync hears of Bob's item in the shared list (no interval round)
    ann.sync.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await bob.app.send(AddItem({ list: 's', text: 'tea' }));
    await bob.sync.run();
    for (let i = 0; i < 100 && !(await itemsOf(ann, 's'))?.includes('tea'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await itemsOf(ann, 's')).toContain('tea');
    await ann.sync.stop();

    // unshared while Ann adds an item offline: her replica drops the list, its model, and the
    // pending item is a conflict
    await bob.app.send(Unshare({ list: 's', with: 'ann' }));
    await bob.sync.run();
    await ann.app.send(AddItem({ list: 's', text: 'too-late' }));
    await ann.sync.run();
    expect(await streamsOf(ann)).toEqual(['list-a1']);
    expect(await ann.app.lens(lists).get('s')).toBeUndefined();
    expect(await itemsOf(ann, 'a1')).toEqual(['ann-private-milk', 'ann-second']);
    expect(ann.conflicts).toEqual(['FORBIDDEN list-s']);
    expect(await ann.sync.pending()).toEqual([]);
    expect(await ann.sync.run()).toMatchObject({ pulled: 0, conflicts: 0 });
    // Bob keeps it all, without the item the server never saw
    expect((await itemsOf(bob, 's'))?.sort()).toEqual(['bread', 'butter', 'eggs', 'jam', 'tea']);

    // Ann, offline, takes the id of Bob's private list: refused by the server, her copy goes,
    // and nothing of Bob's list comes
    await ann.app.send(CreateList({ list: 'b1', owner: 'ann', title: 'Mine?' }));
    expect(await ann.sync.run()).toMatchObject({ conflicts: 1 });
    expect(ann.conflicts).toEqual(['FORBIDDEN list-s', 'COMMAND_REFUSED list-b1']);
    expect(await streamsOf(ann)).toEqual(['list-a1']);
    expect(await ann.app.lens(lists).get('b1')).toBeUndefined();

    // nothing of Bob's private list ever reached Ann: not on the wire, not in her ledger
    expect(toAnn.length).toBeGreaterThan(5);
    expect(toAnn.some((m) => m.includes('bread'))).toBe(true); // the shared list did
    expect(toAnn.some((m) => m.includes('bob-private-secret') || m.includes('Bob’s'))).toBe(false);
    expect(JSON.stringify(await ann.app.ledger.readAll())).not.toContain('bob-private');
  }, 60_000);

  it('carries on a fill cut off midway, from the group’s own cursor', async () => {
    const bob = await replica('bob');
    const tab = await replica('ann', 1, 'ann-second-tab'); // pages of 1 event
    await tab.sync.run(); // list-a1; its cursor past the shared list's first events
    expect(await streamsOf(tab)).toEqual(['list-a1']);
    await bob.sync.run();
    await bob.app.send(Share({ list: 's', with: 'ann' }));
    await bob.sync.run();
    tab.cut.at = 3; // the fill's third page fails
    await expect(tab.sync.run()).rejects.toThrow('cut off');
    const partial = await tab.app.ledger.readStream('list-s');
    expect(partial.length).toBe(2);
    await tab.sync.run();
    const full = (await tab.app.ledger.readStream('list-s')).map((e) => e.messageId);
    expect(full.slice(0, 2)).toEqual(partial.map((e) => e.messageId));
    expect(full).toEqual((await bob.app.ledger.readStream('list-s')).map((e) => e.messageId));
    expect(await itemsOf(tab, 's')).toEqual(await itemsOf(bob, 's'));
    await bob.app.send(Unshare({ list: 's', with: 'ann' }));
    await bob.sync.run();
  }, 30_000);

  it('refuses a hostile replica’s pulls outside its scope, and NATS refuses it the log', async () => {
    const nc = await connect({
      servers: server!.url,
      user: 'ann',
      pass: syncPassword('ann'),
      inboxPrefix: syncInboxPrefix('ann'),
    });
    closers.push(() => nc.close());
    const ask = async (request: unknown) =>
      JSON.parse(
        new TextDecoder().decode(
          (
            await nc.request(`${subject}.ann`, new TextEncoder().encode(JSON.stringify(request)), {
              timeout: 5000,
            })
          ).data,
        ),
      );
    const before = toAnn.length;
    for (const request of [
      { pull: 'groups', groups: ['list-b1'], from: 1, limit: 100 },
      { pull: 'groups', groups: ['list-a1', 'list-b1'], from: 1, limit: 100 },
      { pull: 'stream', streamId: 'list-b1' },
      { pull: 'stream', streamId: 'members' },
    ]) {
      expect(await ask(request)).toMatchObject({ status: 'refused', code: 'FORBIDDEN' });
    }
    expect(await ask({ pull: 'groups', groups: 'list-b1', from: 1, limit: 1 })).toMatchObject({
      code: 'MALFORMED_MESSAGE',
    });
    // a tenant or user in the request changes nothing: the scope is the connection's user's
    expect(await ask({ pull: 'scope', principal: { userId: 'bob' }, tenant: 'x' })).toEqual({
      status: 'scope',
      groups: ['list-a1'],
    });
    expect(toAnn.slice(before).some((m) => m.includes('bob-private'))).toBe(false);
    // no JetStream API at all, and no one else's push subject or inbox
    await expect(jetstreamLedger({ connection: nc, stream, prefix })).rejects.toThrow();
    await expect(
      nc.request(`${subject}.bob`, new TextEncoder().encode('{"pull":"scope"}'), { timeout: 2000 }),
    ).rejects.toThrow();
    const peek = nc.subscribe(`${syncInboxPrefix('bob')}.>`);
    await nc.flush().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(peek.isClosed()).toBe(true);
  }, 30_000);
});
