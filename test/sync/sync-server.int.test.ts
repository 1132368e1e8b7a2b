/**
 * Server mode of offline sync against the real JetStream shared log and NATS request/reply:
 * replicas push their pending commands, the authoritative server decides each on the log's state
 * (confirmed, decided otherwise, refused as a conflict, refused by `authorize`), a command pushed
 * twice is decided once, and a server killed (SIGKILL) between deciding and answering, again and
 * again, makes every command take effect exactly once while the replica converges.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
import {
  accounts,
  createBank,
  Deposit,
  OpenAccount,
  Withdraw,
} from '../../examples/bank/domain.ts';
import { streamsOf } from '../../js/conformance/sync/ledgers.ts';
import {
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  defineState,
  payload,
  whizbang,
} from '../../js/mod.ts';
import {
  type AuthorizeHook,
  authoritativeDriver,
  offlineDriver,
  type PushRequest,
  startSync,
  syncServer,
} from '../../js/sync/mod.ts';
import { uuidv7 } from '../../js/util/ids.ts';
import { random } from '../support/random.ts';
import { NATS_URL, natsReachable } from '../support/services.ts';

const up = await natsReachable('sync server mode');
const run = `${process.pid}_${Date.now().toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), 'multiuser-sync-server-'));
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

/** A shared log and push subject of its own. */
function place(): { stream: string; prefix: string; subject: string } {
  const n = made++;
  const stream = `MULTIUSER_SRV_${run}_${n}`;
  streams.push(stream);
  return { stream, prefix: `multiuser.${run}.${n}`, subject: `multiuser.sync.${run}.${n}` };
}

const allow: AuthorizeHook = () => true;
const bankRules = { OpenAccount: allow, Deposit: allow, Withdraw: allow };

/** The bank's server on the shared log, answering on the push subject. */
async function bankServer(
  at: ReturnType<typeof place>,
  authorize: Record<string, AuthorizeHook> = bankRules,
) {
  const driver = authoritativeDriver(await jetstreamDriver({ connection: nc, ...at }));
  const app = createBank({ driver });
  const server = syncServer(app, { authorize });
  const listening = await natsSyncServer(server, {
    connection: nc,
    subject: at.subject,
    principal: (user) =>
      user === 'nobody' ? undefined : { userId: user, tenant: 'default', roles: [user] },
  });
  closers.push(
    () => listening.close(),
    () => app.close(),
  );
  return { app, server };
}

/** A bank replica on SQLite syncing through the server as `user`. */
async function replica(at: ReturnType<typeof place>, user: string, timeoutMs = 10_000) {
  const app = createBank({
    driver: offlineDriver(sqliteDriver({ path: join(dir, `${user}-${made++}.db`) })),
  });
  const remote = await jetstreamLedger({ connection: nc, ...at });
  const link = await natsSyncLink({ connection: nc, subject: at.subject, as: user, timeoutMs });
  const sync = startSync(app, { remote, server: link });
  closers.push(
    () => sync.stop(),
    () => app.close(),
    () => remote.close(),
  );
  return { app, sync, remote, link };
}

describe.skipIf(!up)('sync through an authoritative server', () => {
  it('confirms a command the server decides as the replica did, by its own event ids', async () => {
    const at = place();
    await bankServer(at);
    const alice = await replica(at, 'alice');
    await alice.app.send(OpenAccount({ accountId: 'a1', owner: 'Alice' }));
    await alice.app.send(Deposit({ accountId: 'a1', amount: 10 }));
    const report = await alice.sync.run();
    expect(report).toMatchObject({ pushed: 2, confirmed: 2, conflicts: 0 });
    expect(await alice.sync.pending()).toEqual([]);
    expect(await streamsOf(alice.app.ledger)).toEqual(await streamsOf(alice.remote));
    expect((await alice.app.lens(accounts).get('a1'))?.balance).toBe(10);
  });

  it('turns a command the server refuses on the new state into a conflict', async () => {
    const at = place();
    await bankServer(at);
    const alice = await replica(at, 'alice');
    const bob = await replica(at, 'bob');
    await alice.app.send(OpenAccount({ accountId: 'shared', owner: 'Alice' }));
    await alice.app.send(Deposit({ accountId: 'shared', amount: 10 }));
    await alice.sync.run();
    await bob.sync.run();
    // both take 8 of the 10 while offline: the server keeps the first
    await alice.app.send(Withdraw({ accountId: 'shared', amount: 8 }));
    await bob.app.send(Withdraw({ accountId: 'shared', amount: 8 }));
    expect(await alice.sync.run()).toMatchObject({ pushed: 1, conflicts: 0 });
    const conflicts: string[] = [];
    const bobs = startSync(bob.app, {
      remote: bob.remote,
      server: bob.link,
      onConflict: (c) => conflicts.push(c.code),
    });
    expect(await bobs.run()).toMatchObject({ pushed: 0, conflicts: 1 });
    expect(conflicts).toEqual(['COMMAND_REFUSED']);
    const [conflict] = await bobs.conflicts.query();
    expect(conflict?.command?.data).toEqual({ accountId: 'shared', amount: 8 });
    expect(await bobs.pending()).toEqual([]);
    expect((await bob.app.lens(accounts).get('shared'))?.balance).toBe(2);
    expect(await streamsOf(bob.app.ledger)).toEqual(await streamsOf(bob.remote));
    expect((await bob.remote.readStream('account-shared')).length).toBe(3);
  });

  it('refuses what `authorize` refuses with FORBIDDEN, writing nothing', async () => {
    const at = place();
    await bankServer(at, {
      OpenAccount: allow,
      Deposit: ({ principal, command }) =>
        principal.roles?.includes('teller') === true ||
        `${principal.userId} may not deposit ${(command.data as { amount: number }).amount}`,
    });
    const teller = await replica(at, 'teller');
    const eve = await replica(at, 'eve');
    await teller.app.send(OpenAccount({ accountId: 't1', owner: 'T' }));
    await teller.app.send(Deposit({ accountId: 't1', amount: 5 }));
    await teller.sync.run();
    await eve.sync.run();
    await eve.app.send(Deposit({ accountId: 't1', amount: 1_000 }));
    await eve.app.send(Withdraw({ accountId: 't1', amount: 1 })); // no hook: refused too
    expect((await eve.app.lens(accounts).get('t1'))?.balance).toBe(1004);
    const report = await eve.sync.run();
    expect(report.conflicts).toBe(2);
    const codes = (await eve.sync.conflicts.query()).map((c) => [c.code, c.message]);
    expect(codes).toContainEqual(['FORBIDDEN', 'eve may not deposit 1000']);
    expect(codes.map(([code]) => code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect((await eve.app.lens(accounts).get('t1'))?.balance).toBe(5);
    expect((await eve.remote.readStream('account-t1')).length).toBe(2);
    expect(await streamsOf(eve.app.ledger)).toEqual(await streamsOf(eve.remote));
  });

  it('decides a command once, however often and however concurrently it is pushed', async () => {
    const at = place();
    const { server } = await bankServer(at);
    const alice = await replica(at, 'alice');
    await alice.app.send(OpenAccount({ accountId: 'once', owner: 'Alice' }));
    await alice.sync.run();
    const request = (amount: number, messageId: string): PushRequest => ({
      id: crypto.randomUUID(),
      tenant: 'default',
      streamId: 'account-once',
      command: {
        type: 'Deposit',
        data: { accountId: 'once', amount },
        messageId,
        correlationId: messageId,
        causationId: messageId,
      },
      events: [],
    });
    // an id of unknown age (a v4 UUID): the server reads the stream for what it caused
    // a UUIDv7 made just now: the log's duplicate window drops a repeat by its commit id
    for (const id of [crypto.randomUUID(), uuidv7()]) {
      const answers = await Promise.all([
        alice.link.push(request(7, id)),
        alice.link.push(request(7, id)),
        server.decide(request(7, id), { userId: 'alice', tenant: 'default' }),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual(['decided', 'duplicate', 'duplicate']);
      // replayed later, even with other data under the same id: nothing again
      expect(await alice.link.push(request(9_000, id))).toEqual({ status: 'duplicate' });
      // and decided by a second server (restarted, or another in the queue group): still once
      const other = await bankServer({ ...at, subject: `${at.subject}.second` });
      expect(
        await other.server.decide(request(9_000, id), { userId: 'alice', tenant: 'default' }),
      ).toMatchObject({ status: expect.stringMatching(/^(decided|duplicate)$/) });
      const events = await alice.remote.readStream('account-once');
      expect(events.filter((e) => e.causationId === id)).toHaveLength(1);
    }
    await alice.sync.run();
    expect((await alice.app.lens(accounts).get('once'))?.balance).toBe(14);
  });
});

// A counter whose decision depends on the state: the server may decide otherwise than a replica.
const Take = defineCommand('Take', payload<{ queue: string; who: string }>());
const Taken = defineEvent('Taken', payload<{ queue: string; who: string; number: number }>());
const Queue = defineState<{ next: number }, ReturnType<typeof Taken>>({
  initial: () => ({ next: 1 }),
  evolve: (_, e) => ({ next: e.data.number + 1 }),
});
const tickets = definePerspective({
  name: 'tickets',
  events: [Taken],
  key: (e) => e.data.who,
  initial: () => ({ number: 0 }),
  apply: (_, e) => ({ number: e.data.number }),
});
const ticketApp = (driver: Parameters<typeof offlineDriver>[0]) =>
  whizbang('tickets')
    .receptor(
      defineReceptor({
        command: Take,
        stream: (c) => `queue-${c.data.queue}`,
        state: Queue,
        decide: (c, q) => Taken({ ...c.data, number: q.next }),
      }),
    )
    .perspective(tickets)
    .build({ driver });

describe.skipIf(!up)('a command the server decides otherwise than the replica', () => {
  it('replaces the replica’s events with the server’s and keeps nothing pending', async () => {
    const at = place();
    const server = ticketApp(authoritativeDriver(await jetstreamDriver({ connection: nc, ...at })));
    const listening = await natsSyncServer(syncServer(server, { authorize: { Take: allow } }), {
      connection: nc,
      subject: at.subject,
      principal: (user) => ({ userId: user, tenant: 'default' }),
    });
    closers.push(
      () => listening.close(),
      () => server.close(),
    );
    const clients = [];
    for (const who of ['ann', 'ben']) {
      const app = ticketApp(offlineDriver(sqliteDriver({ path: join(dir, `${who}-${run}.db`) })));
      const remote = await jetstreamLedger({ connection: nc, ...at });
      const link = await natsSyncLink({ connection: nc, subject: at.subject, as: who });
      closers.push(
        () => app.close(),
        () => remote.close(),
      );
      clients.push({ app, remote, sync: startSync(app, { remote, server: link }) });
    }
    const [ann, ben] = clients as [(typeof clients)[0], (typeof clients)[0]];
    await ann.app.send(Take({ queue: 'q', who: 'ann' }));
    await ben.app.send(Take({ queue: 'q', who: 'ben' }));
    expect((await ben.app.lens(tickets).get('ben'))?.number).toBe(1);
    await ann.sync.run();
    const report = await ben.sync.run();
    expect(report).toMatchObject({ pushed: 1, confirmed: 1, conflicts: 0 });
    expect(await ben.sync.pending()).toEqual([]);
    expect((await ben.app.lens(tickets).get('ben'))?.number).toBe(2);
    expect((await ben.app.lens(tickets).get('ann'))?.number).toBe(1);
    expect(await streamsOf(ben.app.ledger)).toEqual(await streamsOf(ben.remote));
    expect((await ben.remote.readStream('queue-q')).map((e) => e.data)).toEqual([
      { queue: 'q', who: 'ann', number: 1 },
      { queue: 'q', who: 'ben', number: 2 },
    ]);
  });
});

const worker = fileURLToPath(new URL('./sync-server-worker.ts', import.meta.url));

/** Starts a server process; resolves once it listens. `die`: it kills itself before its first answer. */
function serverProcess(at: ReturnType<typeof place>, die: boolean): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', worker, NATS_URL, at.stream, at.prefix, at.subject];
    if (die) args.push('--die-before-answer');
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('ready')) resolve(child);
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (!out.includes('ready')) reject(new Error(`server exited (${code ?? signal}): ${err}`));
    });
  });
}

const exited = (child: ChildProcess): Promise<unknown> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', resolve));

describe.skipIf(!up)('a server killed (SIGKILL) between deciding and answering', () => {
  it('lets every command take effect exactly once, and the replica converges', async () => {
    const at = place();
    const alice = await replica(at, 'alice', 1_500);
    const deposits = 3;
    await alice.app.send(OpenAccount({ accountId: 'k', owner: 'Alice' }));
    for (let i = 1; i <= deposits; i++)
      await alice.app.send(Deposit({ accountId: 'k', amount: i }));
    // each server decides one command, appends it, and dies before it answers
    for (let i = 0; i <= deposits; i++) {
      const child = await serverProcess(at, true);
      await expect(alice.sync.run()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      await exited(child);
      expect(child.signalCode).toBe('SIGKILL');
    }
    const child = await serverProcess(at, false);
    try {
      await alice.sync.run();
      expect(await alice.sync.pending()).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      await exited(child);
    }
    const events = await alice.remote.readStream('account-k');
    expect(events.map((e) => e.type)).toEqual([
      'AccountOpened',
      ...Array.from({ length: deposits }, () => 'MoneyDeposited'),
    ]);
    expect(new Set(events.map((e) => e.causationId)).size).toBe(events.length);
    expect(await streamsOf(alice.app.ledger)).toEqual(await streamsOf(alice.remote));
    expect((await alice.app.lens(accounts).get('k'))?.balance).toBe(
      (deposits * (deposits + 1)) / 2,
    );
  }, 120_000);
});

describe.skipIf(!up)('three replicas and one server, seeded random steps', () => {
  it('converge to the server’s log, every accepted command decided once or a conflict', async () => {
    const at = place();
    await bankServer(at);
    const names = ['ann', 'ben', 'cat'] as const;
    const replicas = [];
    for (const who of names) replicas.push(await replica(at, who));
    const [first] = replicas as [(typeof replicas)[0]];
    const ids = ['x', 'y', 'z'];
    for (const id of ids) await first.app.send(OpenAccount({ accountId: id, owner: 'ann' }));
    await first.app.send(Deposit({ accountId: 'x', amount: 10 }));
    for (const r of replicas) await r.sync.run();
    const next = random(Number(process.env.SYNC_SERVER_SEED ?? 7));
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const accepted = replicas.map(() => [] as string[]);
    for (let step = 0; step < 60; step++) {
      const k = Math.floor(next() * replicas.length);
      const r = replicas[k]!;
      const roll = next();
      if (roll < 0.3) {
        await r.sync.run(); // online for a round; the others stay offline meanwhile
        continue;
      }
      const amount = 1 + Math.floor(next() * 8);
      const command =
        roll < 0.6
          ? Deposit({ accountId: pick(ids), amount })
          : Withdraw({ accountId: pick(ids), amount });
      try {
        accepted[k]!.push((await r.app.send(command)).messageId);
      } catch {
        // refused locally (an overdraft on this replica's state): never pending
      }
    }
    for (let round = 0; round < 2; round++) for (const r of replicas) await r.sync.run();
    const log = await first.remote.readAll();
    const causes = new Map<string, number>();
    for (const e of log) causes.set(e.causationId, (causes.get(e.causationId) ?? 0) + 1);
    const balance = new Map<string, number>();
    for (const e of log) {
      const d = e.data as { accountId: string; amount?: number };
      const delta =
        e.type === 'MoneyDeposited' ? d.amount! : e.type === 'MoneyWithdrawn' ? -d.amount! : 0;
      balance.set(d.accountId, (balance.get(d.accountId) ?? 0) + delta);
      expect(balance.get(d.accountId)).toBeGreaterThanOrEqual(0);
    }
    for (const [k, r] of replicas.entries()) {
      expect(await r.sync.pending()).toEqual([]);
      expect(await streamsOf(r.app.ledger)).toEqual(await streamsOf(r.remote));
      const conflicts = new Set((await r.sync.conflicts.query()).map((c) => c.command?.messageId));
      for (const id of accepted[k]!) {
        expect((causes.get(id) ?? 0) + (conflicts.has(id) ? 1 : 0)).toBe(1);
      }
      for (const id of ids) {
        expect((await r.app.lens(accounts).get(id))?.balance).toBe(balance.get(id));
      }
    }
    expect(accepted.flat().length).toBeGreaterThan(10);
  }, 120_000);
});
