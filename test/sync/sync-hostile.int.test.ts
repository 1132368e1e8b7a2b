/**
 * Hostile replicas against a sync server, on a nats-server of the test's own whose users have the
 * permissions `syncPermissions()` gives: a client publishing events straight to the ledger,
 * deleting or purging it, pushing as another user, listening on another user's subjects, forging
 * a principal or a tenant in its request, replaying an old command, sending malformed bytes —
 * each refused, nothing written, and the server keeps serving the others.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type JetStreamLedger,
  jetstreamDriver,
  jetstreamLedger,
  type NatsSyncLink,
  natsSyncLink,
  natsSyncServer,
  syncInboxPrefix,
} from '../../adapters/nats/node.ts';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { accounts, createBank, Deposit, OpenAccount } from '../../examples/bank/domain.ts';
import {
  authoritativeDriver,
  offlineDriver,
  type PushRequest,
  startSync,
  syncServer,
} from '../../js/sync/mod.ts';
import { natsServerAvailable, type OwnNatsServer } from '../support/nats-server.ts';
import { random } from '../support/random.ts';
import { startSyncNatsServer, syncPassword } from '../support/sync-nats-server.ts';

const up = await natsServerAvailable('hostile sync clients');
const stream = 'MULTIUSER_HOSTILE';
const prefix = 'bank.log';
const subject = 'bank.push';
const users = ['alice', 'bob'] as const;
let server: OwnNatsServer | undefined;
let admin: NatsConnection;
const closers: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  if (!up) return;
  ({ server, admin } = await startSyncNatsServer(users, (user) => ({ user, subject, stream })));
  const app = createBank({
    driver: authoritativeDriver(await jetstreamDriver({ connection: admin, stream, prefix })),
  });
  const decider = syncServer(app, {
    authorize: {
      OpenAccount: ({ command, principal }) =>
        (command.data as { owner: string }).owner === principal.userId,
      Deposit: () => true,
    },
  });
  const listening = await natsSyncServer(decider, {
    connection: admin,
    subject,
    principal: (user) =>
      (users as readonly string[]).includes(user) ? { userId: user, tenant: 'default' } : undefined,
  });
  closers.push(
    () => listening.close(),
    () => app.close(),
  );
}, 60_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await admin?.close();
  await server?.dispose();
});

/** A connection as `user`, with the inbox prefix its permissions allow. */
async function as(user: string): Promise<NatsConnection> {
  const nc = await connect({
    servers: server!.url,
    user,
    pass: syncPassword(user),
    inboxPrefix: syncInboxPrefix(user),
  });
  closers.push(() => nc.close());
  return nc;
}

/** What the shared log holds (read by the server's user). */
async function logSize(): Promise<number> {
  const jsm = await jetstreamManager(admin);
  return (await jsm.streams.info(stream)).state.messages;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function ask(nc: NatsConnection, to: string, bytes: Uint8Array): Promise<unknown> {
  const msg = await nc.request(to, bytes, { timeout: 5_000 });
  return JSON.parse(decoder.decode(msg.data));
}

function deposit(accountId: string, amount: number, id = crypto.randomUUID()): PushRequest {
  return {
    id: crypto.randomUUID(),
    tenant: 'default',
    streamId: `account-${accountId}`,
    command: {
      type: 'Deposit',
      data: { accountId, amount },
      messageId: id,
      correlationId: id,
      causationId: id,
    },
    events: [],
  };
}

describe.skipIf(!up)('hostile clients of a sync server (NATS permissions)', () => {
  let alice: NatsConnection;
  let aliceLog: JetStreamLedger;
  let aliceLink: NatsSyncLink;

  beforeAll(async () => {
    alice = await as('alice');
    aliceLog = await jetstreamLedger({ connection: alice, stream, prefix });
    aliceLink = await natsSyncLink({ connection: alice, subject, as: 'alice' });
    closers.push(() => aliceLog.close());
  });

  it('lets a replica with only its permissions sync through the server', async () => {
    const app = createBank({ driver: offlineDriver(sqliteDriver({ path: ':memory:' })) });
    closers.push(() => app.close());
    await app.send(OpenAccount({ accountId: 'a', owner: 'alice' }));
    await app.send(Deposit({ accountId: 'a', amount: 5 }));
    const sync = startSync(app, { remote: aliceLog, server: aliceLink });
    expect(await sync.run()).toMatchObject({ pushed: 2, confirmed: 2, conflicts: 0 });
    // a later round reads the log from its cursor (message gets by sequence)
    await app.send(Deposit({ accountId: 'a', amount: 1 }));
    expect(await sync.run()).toMatchObject({ pushed: 1, confirmed: 1, conflicts: 0 });
    expect((await app.lens(accounts).get('a'))?.balance).toBe(6);
  });

  it('refuses events published straight to the ledger, and deleting or purging it', async () => {
    const before = await logSize();
    await expect(
      aliceLog.append('account-a', [
        { type: 'MoneyDeposited', data: { accountId: 'a', amount: 1e6 } },
      ]),
    ).rejects.toThrow();
    alice.publish(`${prefix}.default.account-a`, encoder.encode('{"forged":true}'));
    await alice.flush();
    const jsm = await jetstreamManager(alice);
    await expect(jsm.streams.purge(stream)).rejects.toThrow();
    await expect(jsm.streams.delete(stream)).rejects.toThrow();
    expect(await logSize()).toBe(before);
  });

  it('refuses pushing as another user and listening on another user’s subjects', async () => {
    const before = await logSize();
    await expect(
      ask(alice, `${subject}.bob`, encoder.encode(JSON.stringify(deposit('a', 1)))),
    ).rejects.toThrow();
    for (const theirs of [`${syncInboxPrefix('bob')}.>`, `${subject}.bob`, `${prefix}.>`, '>']) {
      const sub = alice.subscribe(theirs);
      expect(await sub.closed).toBeInstanceOf(Error);
    }
    expect(await logSize()).toBe(before);
  });

  it('decides for the connection’s user, never a principal or tenant named in the request', async () => {
    const before = await logSize();
    const forged = {
      ...deposit('a', 1),
      command: {
        ...deposit('a', 1).command,
        type: 'OpenAccount',
        data: { accountId: 'b', owner: 'bob' },
      },
      principal: { userId: 'bob', tenant: 'default', roles: ['admin'] },
      userId: 'bob',
    };
    expect(
      await ask(alice, `${subject}.alice`, encoder.encode(JSON.stringify(forged))),
    ).toMatchObject({ status: 'refused', code: 'FORBIDDEN' });
    const otherTenant = { ...deposit('a', 1), tenant: 'acme' };
    expect(await aliceLink.push(otherTenant)).toMatchObject({
      status: 'refused',
      code: 'FORBIDDEN',
    });
    expect(await logSize()).toBe(before);
  });

  it('decides a replayed command once', async () => {
    const old = deposit('a', 3);
    expect(await aliceLink.push(old)).toMatchObject({ status: 'decided' });
    const after = await logSize();
    for (let i = 0; i < 3; i++) expect(await aliceLink.push(old)).toEqual({ status: 'duplicate' });
    expect(await logSize()).toBe(after);
  });

  it('answers malformed bytes with MALFORMED_MESSAGE and keeps serving', async () => {
    const before = await logSize();
    const next = random(16);
    const junk: Uint8Array[] = [
      new Uint8Array(0),
      encoder.encode('not json'),
      encoder.encode('[]'),
      encoder.encode('null'),
      encoder.encode('{"command":{"type":"Deposit"}}'),
      encoder.encode(JSON.stringify({ ...deposit('a', 1), events: 'x' })),
      encoder.encode(JSON.stringify({ ...deposit('a', 1), id: 'x'.repeat(10_000) })),
      encoder.encode(`${'['.repeat(5_000)}${']'.repeat(5_000)}`),
      ...Array.from({ length: 20 }, () =>
        Uint8Array.from({ length: 1 + Math.floor(next() * 300) }, () => Math.floor(next() * 256)),
      ),
    ];
    for (const bytes of junk) {
      expect(await ask(alice, `${subject}.alice`, bytes)).toMatchObject({
        status: 'refused',
        code: 'MALFORMED_MESSAGE',
      });
    }
    expect(await logSize()).toBe(before);
    // and the others are still served
    const bob = await as('bob');
    const bobLink = await natsSyncLink({ connection: bob, subject, as: 'bob' });
    expect(await bobLink.push(deposit('a', 2))).toMatchObject({ status: 'decided' });
    expect(await logSize()).toBe(before + 1);
  });
});
