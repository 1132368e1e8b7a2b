/**
 * `sync.pull.groups`: a new replica pulling one user's scope of stream groups through the sync
 * server (3 of 300 lists, 300 of 30 000 events, in one tenant: the server reads one consumer per
 * group and merges them) against pulling the whole log as a trusted replica does; the ratio is of
 * time (pulls/h), and the bytes each received are printed beside it.
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
  natsSyncLink,
  natsSyncServer,
} from '../../adapters/nats/node.ts';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { whizbang } from '../../js/runtime/builder.ts';
import {
  authoritativeDriver,
  offlineDriver,
  type StartSyncOptions,
  startSync,
  syncServer,
} from '../../js/sync/mod.ts';
import type { BenchEntry, Side } from './harness.ts';

const URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const run = `${process.pid}_${Date.now().toString(36)}`;
const EVENTS = 30_000;
const LISTS = 300;
const PER = 10; // events per commit
const SCOPE = ['list-7', 'list-107', 'list-207'];
const group = (streamId: string): string | undefined =>
  streamId.startsWith('list-') ? streamId : undefined;

async function pullInto(file: string, options: StartSyncOptions): Promise<number> {
  const app = whizbang('bench').build({ driver: offlineDriver(sqliteDriver({ path: file })) });
  try {
    return (await startSync(app, options).run()).pulled;
  } finally {
    await app.close();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  }
}

function pullGroups(): BenchEntry {
  return {
    name: 'sync.pull.groups',
    make: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'groups-bench-'));
      const nc: NatsConnection = await connect({ servers: URL });
      const at = { stream: `GROUPS_BENCH_${run}`, prefix: `grbench.${run}`, group };
      const subject = `grbench.push.${run}`;
      // 30 000 events over 300 lists (a group each), commits of 10
      const writer = await jetstreamLedger({ connection: nc, ...at });
      const versions = new Map<string, number>();
      const commits = EVENTS / PER;
      for (let i = 0; i < commits; i += 256) {
        const batch = [];
        for (let j = i; j < Math.min(i + 256, commits); j++) {
          const streamId = `list-${j % LISTS}`;
          const version = versions.get(streamId) ?? 0;
          versions.set(streamId, version + PER);
          const events = Array.from({ length: PER }, (_, k) => ({
            type: 'ItemAdded',
            data: { list: streamId, text: `item ${j * PER + k}` },
          }));
          batch.push(writer.append(streamId, events, { expectedVersion: version }));
        }
        await Promise.all(batch);
      }
      const server = whizbang('bench').build({
        driver: authoritativeDriver(await jetstreamDriver({ connection: nc, ...at })),
      });
      const listening = await natsSyncServer(
        syncServer(server, { authorize: {}, scope: { log: writer, groups: () => SCOPE } }),
        { connection: nc, subject, principal: (user) => ({ userId: user, tenant: 'default' }) },
      );
      // each side on a connection of its own, to count the bytes it received
      const groupsNc: NatsConnection = await connect({ servers: URL });
      const wholeNc: NatsConnection = await connect({ servers: URL });
      const link = await natsSyncLink({ connection: groupsNc, subject, as: 'u' });
      const bytes = { groups: [] as number[], whole: [] as number[] };
      let round = 0;
      const side = (
        name: string,
        c: NatsConnection,
        options: () => Promise<StartSyncOptions & { close?: () => Promise<void> }>,
        expected: number,
        into: number[],
      ): Side => ({
        name,
        run: async () => {
          const opened = await options();
          const before = c.stats().inBytes;
          const pulled = await pullInto(join(dir, `replica-${round++}.db`), opened);
          into.push(c.stats().inBytes - before);
          await opened.close?.();
          if (pulled !== expected) throw new Error(`${name}: pulled ${pulled}, not ${expected}`);
          return 3600; // one pull, counted per hour
        },
      });
      const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
      return {
        name: 'sync.pull.groups',
        unit: 'pulls/h',
        ops: 1,
        rounds: 3,
        goal: 20,
        subject: side(
          "one user's 3 groups through the server (300 events)",
          groupsNc,
          async () => ({ server: link, group }),
          (EVENTS / LISTS) * SCOPE.length,
          bytes.groups,
        ),
        baseline: side(
          'the whole log (jetstreamLedger, 30 000 events)',
          wholeNc,
          async () => {
            const remote = await jetstreamLedger({ connection: wholeNc, ...at });
            return { remote, close: () => remote.close() };
          },
          EVENTS,
          bytes.whole,
        ),
        finish: async () => {
          const scoped = median(bytes.groups);
          const whole = median(bytes.whole);
          console.error(
            `sync.pull.groups bytes received: ${scoped} (3 groups) vs ${whole} (whole log), ${Math.round(whole / scoped)}x less`,
          );
          await listening.close();
          await server.close();
          await writer.close();
          const jsm = await jetstreamManager(nc);
          await jsm.streams.delete(at.stream).catch(() => undefined);
        },
        dispose: async () => {
          await link.close();
          await groupsNc.close();
          await wholeNc.close();
          await nc.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

/** The stream-group pull benchmark. */
export const benches: BenchEntry[] = [pullGroups()];
