/**
 * `sync.server.decide`: commands per second an authoritative sync server decides and appends to
 * the JetStream shared log (local server, `NATS_URL`) when 100 replicas push at once over NATS
 * request/reply (each replica its own stream, one command after another, as sync pushes a
 * stream), against the same commands sent to the same server app in process (`app.send`, 100 at
 * once): what server mode adds is the request/reply, the check that the command was not decided
 * before (a read of its stream) and the authorization.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  jetstreamDriver,
  type NatsSyncLink,
  type NatsSyncServer,
  natsSyncLink,
  natsSyncServer,
} from '../../adapters/nats/node.ts';
import { defineReceptor } from '../../js/definitions/receptor.ts';
import { defineCommand, defineEvent, payload } from '../../js/messages/message.ts';
import type { Driver } from '../../js/mod.ts';
import { whizbang } from '../../js/runtime/builder.ts';
import { authoritativeDriver, type PushRequest, syncServer } from '../../js/sync/mod.ts';
import { uuidv7 } from '../../js/util/ids.ts';
import type { BenchEntry, Side } from './harness.ts';

const URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const run = `${process.pid}_${Date.now().toString(36)}`;
const CLIENTS = 100;
const COMMANDS = 2_000;

const Deposit = defineCommand('Deposit', payload<{ account: string; amount: number }>());
const Deposited = defineEvent('Deposited', payload<{ account: string; amount: number }>());
const deposit = defineReceptor({
  command: Deposit,
  stream: (c) => `account-${c.data.account}`,
  handle: (c) => Deposited(c.data),
});
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

export const benches: BenchEntry[] = [serverDecide()];
