/**
 * `sync.server.decide`: commands per second an authoritative sync server decides and appends to
 * the JetStream shared log (local server, `NATS_URL`) when 100 replicas push at once over NATS
 * request/reply (each replica its own stream, one command after another, as sync pushes a
 * stream), against the same commands sent to the same server app in process (`app.send`, 100 at
 * once): what server mode adds is the request/reply, the check that the command was not decided
 * before and the authorization.
 *
 * `sync.pull.scoped`: a new replica pulling one user's scope (a tenant: 1 000 of 100 000 events
 * spread over 100 users) through `scopedLedger`, against pulling the whole log as today; the
 * ratio is of time (pulls/h), and the bytes each received are printed beside it.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  jetstreamDriver,
  jetstreamLedger,
  type NatsSyncLink,
  type NatsSyncServer,
  natsSyncLink,
  natsSyncServer,
  scopedLedger,
} from '../../adapters/nats/node.ts';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import type { Ledger } from '../../js/contracts/ledger.ts';
import type { Driver } from '../../js/mod.ts';
import { whizbang } from '../../js/runtime/builder.ts';
import {
  authoritativeDriver,
  offlineDriver,
  type PushRequest,
  startSync,
  syncServer,
} from '../../js/sync/mod.ts';
import { uuidv7 } from '../../js/util/ids.ts';
import { Deposit, deposit } from './deposits.ts';
import type { BenchEntry, Side } from './harness.ts';

const URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const run = `${process.pid}_${Date.now().toString(36)}`;
const CLIENTS = 100;
const COMMANDS = 2_000;

const appOn = (driver: Driver) => whizbang('bench').receptor(deposit).build({ driver });

let made = 0;
function fresh(): { stream: string; prefix: string; subject: string } {
  const n = made++;
  return {
    stream: `MULTIUSER_BENCH_${run}_${n}`,
    prefix: `mubench.${run}.${n}`,
    subject: `mubench.push.${run}.${n}`,
  };
}

/** Runs `per` commands for each of the clients, the clients at once, each one after another. */
async function clients(each: (client: number, i: number) => Promise<void>): Promise<number> {
  const per = COMMANDS / CLIENTS;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; i < per; i++) await each(c, i);
    }),
  );
  return COMMANDS;
}

function request(client: number, i: number): PushRequest {
  const id = uuidv7(); // as a replica's command ids are
  const data = { account: `c${client}`, amount: i + 1 };
  return {
    id: crypto.randomUUID(),
    tenant: 'default',
    streamId: `account-c${client}`,
    command: { type: 'Deposit', data, messageId: id, correlationId: id, causationId: id },
    events: [{ messageId: crypto.randomUUID(), type: 'Deposited', data }],
  };
}

function serverDecide(): BenchEntry {
  return {
    name: 'sync.server.decide',
    make: async () => {
      const nc: NatsConnection = await connect({ servers: URL });
      const pushers: NatsConnection = await connect({ servers: URL });
      const streams: string[] = [];
      let close: Array<() => Promise<unknown>> = [];
      const teardown = async (): Promise<void> => {
        for (const c of close.reverse()) await c();
        close = [];
      };
      let links: NatsSyncLink[] = [];
      const subject: Side = {
        name: 'pushed by 100 replicas to the sync server (NATS request/reply)',
        setup: async () => {
          const at = fresh();
          streams.push(at.stream);
          const app = appOn(authoritativeDriver(await jetstreamDriver({ connection: nc, ...at })));
          const server: NatsSyncServer = await natsSyncServer(
            syncServer(app, { authorize: { Deposit: () => true } }),
            {
              connection: nc,
              subject: at.subject,
              principal: (user) => ({ userId: user, tenant: 'default' }),
            },
          );
          links = await Promise.all(
            Array.from({ length: CLIENTS }, (_, c) =>
              natsSyncLink({ connection: pushers, subject: at.subject, as: `c${c}` }),
            ),
          );
          close.push(
            () => app.close(),
            () => server.close(),
          );
        },
        run: () =>
          clients(async (c, i) => {
            const answer = await links[c]!.push(request(c, i));
            if (answer.status !== 'decided') throw new Error(JSON.stringify(answer));
          }),
        teardown,
      };
      let app: ReturnType<typeof appOn> | undefined;
      const baseline: Side = {
        name: 'the same commands sent in process (app.send, 100 at once)',
        setup: async () => {
          const at = fresh();
          streams.push(at.stream);
          const built = appOn(await jetstreamDriver({ connection: nc, ...at }));
          app = built;
          close.push(() => built.close());
        },
        run: () =>
          clients(async (c, i) => {
            await app!.send(Deposit({ account: `c${c}`, amount: i + 1 }));
          }),
        teardown,
      };
      return {
        name: 'sync.server.decide',
        unit: 'commands/s',
        ops: COMMANDS,
        rounds: 5,
        goal: 0.5,
        subject,
        baseline,
        finish: async () => {
          const jsm = await jetstreamManager(nc);
          for (const s of streams) await jsm.streams.delete(s).catch(() => undefined);
        },
        dispose: async () => {
          await pushers.close();
          await nc.close();
        },
      };
    },
  };
}

/** A fresh replica file's one sync round with `remote` (the app opened and closed around it). */
async function pullInto(file: string, remote: Ledger): Promise<number> {
  const app = whizbang('bench').build({ driver: offlineDriver(sqliteDriver({ path: file })) });
  try {
    return (await startSync(app, { remote }).run()).pulled;
  } finally {
    await app.close();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  }
}

function pullScoped(): BenchEntry {
  return {
    name: 'sync.pull.scoped',
    make: async () => {
      const EVENTS = 100_000;
      const USERS = 100;
      const PER = 10; // events per commit
      const dir = mkdtempSync(join(tmpdir(), 'multiuser-bench-scoped-'));
      const nc: NatsConnection = await connect({ servers: URL });
      const at = fresh();
      // 100 000 events over 100 users (tenants), 10 streams each, commits of 10 events
      const writer = await jetstreamLedger({ connection: nc, ...at });
      const versions = new Map<string, number>();
      const commits = EVENTS / PER;
      for (let i = 0; i < commits; i += 256) {
        const batch = [];
        for (let j = i; j < Math.min(i + 256, commits); j++) {
          const tenant = `u${j % USERS}`;
          const streamId = `s-${Math.floor(j / USERS) % 10}`;
          const key = `${tenant}/${streamId}`;
          const version = versions.get(key) ?? 0;
          versions.set(key, version + PER);
          const events = Array.from({ length: PER }, (_, k) => ({
            type: 'Deposited',
            data: { account: streamId, amount: j * PER + k },
          }));
          batch.push(writer.append(streamId, events, { tenant, expectedVersion: version }));
        }
        await Promise.all(batch);
      }
      await writer.close();
      // each side on a connection of its own, to count the bytes it received
      const scopedNc: NatsConnection = await connect({ servers: URL });
      const wholeNc: NatsConnection = await connect({ servers: URL });
      const bytes = { scoped: [] as number[], whole: [] as number[] };
      const received = (c: NatsConnection): number => c.stats().inBytes;
      let round = 0;
      const side = (
        name: string,
        c: NatsConnection,
        open: () => Promise<Ledger & { close(): Promise<void> }>,
        expected: number,
        into: number[],
      ): Side => ({
        name,
        run: async () => {
          const remote = await open();
          const before = received(c);
          const pulled = await pullInto(join(dir, `replica-${round++}.db`), remote);
          into.push(received(c) - before);
          await remote.close();
          if (pulled !== expected) throw new Error(`${name}: pulled ${pulled}, not ${expected}`);
          return 3600; // one pull, counted per hour (whole numbers keep their precision)
        },
      });
      const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
      return {
        name: 'sync.pull.scoped',
        unit: 'pulls/h',
        ops: 1,
        rounds: 3,
        goal: 20,
        subject: side(
          "one user's scope (scopedLedger, 1 000 events)",
          scopedNc,
          () => scopedLedger({ connection: scopedNc, ...at, tenant: 'u7' }),
          EVENTS / USERS,
          bytes.scoped,
        ),
        baseline: side(
          'the whole log (jetstreamLedger, 100 000 events)',
          wholeNc,
          () => jetstreamLedger({ connection: wholeNc, ...at }),
          EVENTS,
          bytes.whole,
        ),
        finish: async () => {
          const scoped = median(bytes.scoped);
          const whole = median(bytes.whole);
          console.error(
            `sync.pull.scoped bytes received: ${scoped} (scope) vs ${whole} (whole log), ${Math.round(whole / scoped)}x less (goal ≥ 50x)`,
          );
          const jsm = await jetstreamManager(nc);
          await jsm.streams.delete(at.stream).catch(() => undefined);
        },
        dispose: async () => {
          await scopedNc.close();
          await wholeNc.close();
          await nc.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

export const benches: BenchEntry[] = [serverDecide(), pullScoped()];
