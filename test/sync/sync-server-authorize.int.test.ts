/**
 * The receptors' own `authorize` hooks in server mode, against the real JetStream shared log and
 * NATS request/reply: the server decides each pushed command for the principal of the connection,
 * its receptor's hook refuses what the user may not do (a FORBIDDEN conflict on the replica,
 * nothing in the log), a type whose receptor has a hook needs none in `syncServer`, one with both
 * must pass both, one with neither is refused; the server's lens scoped by principal answers each
 * user's lists only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jetstreamDriver,
  jetstreamLedger,
  natsSyncLink,
  natsSyncServer,
} from '../../adapters/nats/node.ts';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { scopedLens } from '../../js/mod.ts';
import { authoritativeDriver, offlineDriver, startSync, syncServer } from '../../js/sync/mod.ts';
import { NATS_URL, natsReachable } from '../support/services.ts';
import {
  AddItem,
  CreateList,
  lists,
  listsApp,
  RenameList,
  ShareList,
} from '../support/shared-lists.ts';

const up = await natsReachable('sync server mode with receptor hooks');
const run = `${process.pid}_${Date.now().toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), 'sync-server-authorize-'));
let nc: NatsConnection;
let made = 0;
const streams: string[] = [];
const closers: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  if (up) nc = await connect({ servers: NATS_URL });
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  if (nc !== undefined) {
    const jsm = await jetstreamManager(nc);
    for (const s of streams) await jsm.streams.delete(s).catch(() => undefined);
    await nc.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A shared log and push subject of its own, with the lists server answering on it. */
async function listsServer() {
  const n = made++;
  const stream = `LISTS_AUTH_${run}_${n}`;
  streams.push(stream);
  const at = { stream, prefix: `lists.${run}.${n}`, subject: `lists.sync.${run}.${n}` };
  const app = listsApp(authoritativeDriver(await jetstreamDriver({ connection: nc, ...at })));
  // CreateList has hooks in both places; the others rely on their receptor's (or have none)
  const server = syncServer(app, {
    authorize: {
      CreateList: ({ principal }) => principal.userId !== 'carol' || 'Carol only reads.',
    },
  });
  const listening = await natsSyncServer(server, {
    connection: nc,
    subject: at.subject,
    principal: (user) => ({ userId: user, tenant: 'default' }),
  });
  closers.push(
    () => listening.close(),
    () => app.close(),
  );
  return { at, app };
}

/** A lists replica on SQLite syncing through the server as `user`. */
async function replica(at: { stream: string; prefix: string; subject: string }, user: string) {
  const app = listsApp(offlineDriver(sqliteDriver({ path: join(dir, `${user}-${made++}.db`) })));
  const remote = await jetstreamLedger({ connection: nc, ...at });
  const link = await natsSyncLink({ connection: nc, subject: at.subject, as: user });
  const sync = startSync(app, { remote, server: link });
  closers.push(
    () => sync.stop(),
    () => app.close(),
    () => remote.close(),
  );
  return { app, sync, remote, link };
}

describe.skipIf(!up)('receptor hooks decide pushed commands', () => {
  it('refuses a push its receptor’s hook refuses: a FORBIDDEN conflict, nothing in the log', async () => {
    const { at, app: server } = await listsServer();
    const alice = await replica(at, 'alice');
    const bob = await replica(at, 'bob');
    await alice.app.send(CreateList({ listId: 'a', title: 'Groceries', owner: 'alice' }));
    expect(await alice.sync.run()).toMatchObject({ pushed: 1, conflicts: 0 });
    await bob.sync.run();
    // bob's replica decides it (it trusts its own user); the server asks the receptor's hook
    await bob.app.send(AddItem({ listId: 'a', text: 'beer' }));
    expect((await bob.app.lens(lists).get('a'))?.items).toEqual(['beer']);
    expect(await bob.sync.run()).toMatchObject({ pushed: 0, conflicts: 1 });
    const [conflict] = await bob.sync.conflicts.query();
    expect([conflict?.code, conflict?.message]).toEqual([
      'FORBIDDEN',
      'bob is not a member of list a.',
    ]);
    expect(conflict?.command?.data).toEqual({ listId: 'a', text: 'beer' });
    expect((await bob.app.lens(lists).get('a'))?.items).toEqual([]);
    expect(await bob.remote.readStream('list-a')).toHaveLength(1);
    // a principal written into the request is not read: the connection's user is asked about
    const id = crypto.randomUUID();
    const forged = {
      id,
      tenant: 'default',
      streamId: 'list-a',
      principal: { userId: 'alice', tenant: 'default' },
      command: {
        type: 'AddItem',
        data: { listId: 'a', text: 'forged' },
        messageId: id,
        correlationId: id,
        causationId: id,
      },
      events: [],
    };
    expect(await bob.link.push(forged as never)).toEqual({
      status: 'refused',
      code: 'FORBIDDEN',
      message: 'bob is not a member of list a.',
    });
    // shared with him, the same command goes through
    await alice.app.send(ShareList({ listId: 'a', with: 'bob' }));
    await alice.sync.run();
    await bob.sync.run();
    await bob.app.send(AddItem({ listId: 'a', text: 'tea' }));
    expect(await bob.sync.run()).toMatchObject({ pushed: 1, conflicts: 0 });
    expect((await bob.remote.readStream('list-a')).map((e) => e.type)).toEqual([
      'ListCreated',
      'ListShared',
      'ItemAdded',
    ]);
    // the server reads its lists for each user through the perspective's scope
    await server.waitForPerspectives();
    expect(
      (await scopedLens(server, lists, { userId: 'bob', tenant: 'default' }).query()).map(
        (l) => l.items,
      ),
    ).toEqual([['tea']]);
    expect(await scopedLens(server, lists, { userId: 'eve', tenant: 'default' }).count()).toBe(0);
  });

  it('asks the server’s hook and then the receptor’s; a type with neither is refused', async () => {
    const { at } = await listsServer();
    const carol = await replica(at, 'carol');
    const dave = await replica(at, 'dave');
    await carol.app.send(CreateList({ listId: 'c', title: 'Mine', owner: 'carol' }));
    await dave.app.send(CreateList({ listId: 'd', title: 'Not mine', owner: 'alice' }));
    await dave.app.send(CreateList({ listId: 'e', title: 'Mine', owner: 'dave' }));
    await dave.app.send(RenameList({ listId: 'e', title: 'Renamed' }));
    expect(await carol.sync.run()).toMatchObject({ pushed: 0, conflicts: 1 });
    expect(await dave.sync.run()).toMatchObject({ pushed: 1, conflicts: 2 });
    const refusals = async (r: typeof carol) =>
      (await r.sync.conflicts.query()).map((c) => [c.command?.type, c.code, c.message]);
    expect(await refusals(carol)).toEqual([['CreateList', 'FORBIDDEN', 'Carol only reads.']]);
    expect((await refusals(dave)).sort()).toEqual([
      ['CreateList', 'FORBIDDEN', 'Create lists as yourself.'],
      ['RenameList', 'FORBIDDEN', 'Replicas may not push "RenameList".'],
    ]);
    expect((await dave.remote.readAll()).map((e) => [e.streamId, e.type])).toEqual([
      ['list-e', 'ListCreated'],
    ]);
  });
});
