/**
 * The client side of server mode on Deno and Bun: a replica on SQLite (`whizbang/sqlite/deno`,
 * `whizbang/sqlite/bun`), its tenant's view of the JetStream log (`scopedLedger`) and the push
 * link (`natsSyncLink`), run under each runtime (sync-client-runtime.ts) against this Node
 * process's authoritative server and the real nats-server: its commands are decided, the one its
 * user may not send comes back as a FORBIDDEN conflict, and nothing of another tenant reaches it.
 * Deno may reach the NATS server and read the repository only, and write its database's folder.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamDriver, jetstreamLedger, natsSyncServer } from '../../adapters/nats/node.ts';
import { authoritativeDriver, syncServer } from '../../js/sync/mod.ts';
// @ts-expect-error: a plain .mjs module of the runtimes runner, without types
import { binary, ROOT } from '../runtimes/runtimes.mjs';
import { NATS_URL, natsReachable } from '../support/services.ts';
import { CreateList, listsApp } from '../support/shared-lists.ts';

const up = await natsReachable('sync server mode on Deno and Bun');
const SCRIPT = fileURLToPath(new URL('./sync-client-runtime.ts', import.meta.url));
const run = `${process.pid}_${Date.now().toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), 'sync-runtimes-'));
const stream = `LISTS_RT_${run}`;
const at = { stream, prefix: `listsrt.${run}`, subject: `listsrt.sync.${run}` };
/** Each runtime's replica in a tenant of its own (its user is `<runtime>user`). */
const tenants = { deno: `d${run}`, bun: `b${run}` };
const tenantOf = (user: string): string => (user.startsWith('deno') ? tenants.deno : tenants.bun);
let nc: NatsConnection;
const closers: Array<() => Promise<unknown> | unknown> = [];

/** Whether `runtime` starts here; under CI it must. */
function available(runtime: 'deno' | 'bun'): boolean {
  const ok = spawnSync(binary(runtime), ['--version'], { stdio: 'ignore' }).status === 0;
  if (!ok && process.env.CI) throw new Error(`${runtime} does not start and CI is set.`);
  if (!ok) process.stderr.write(`\n!!! ${runtime} does not start: its sync test is SKIPPED.\n\n`);
  return ok;
}

beforeAll(async () => {
  if (!up) return;
  nc = await connect({ servers: NATS_URL });
  const app = listsApp(authoritativeDriver(await jetstreamDriver({ connection: nc, ...at })));
  const listening = await natsSyncServer(syncServer(app), {
    connection: nc,
    subject: at.subject,
    principal: (user) => ({ userId: user, tenant: tenantOf(user) }),
  });
  closers.push(
    () => listening.close(),
    () => app.close(),
  );
  // alice's list in each replica's tenant, and a list in another tenant they must never get
  for (const tenant of Object.values(tenants)) {
    await app.send(CreateList({ listId: 'alices', title: 'Alice’s', owner: 'alice' }), {
      principal: { userId: 'alice', tenant },
    });
  }
  await app.send(CreateList({ listId: 'secret', title: 'Other', owner: 'zed' }), {
    principal: { userId: 'zed', tenant: 'other' },
  });
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  if (nc !== undefined) {
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the replica under `runtime` as `user`; resolves with what it printed. */
function replica(runtime: 'deno' | 'bun', user: string): Promise<Record<string, unknown>> {
  const scratch = mkdtempSync(join(dir, `${runtime}-`));
  const nats = new URL(NATS_URL);
  const flags =
    runtime === 'deno'
      ? [
          'run',
          '--no-config',
          '--no-lock',
          '--no-remote',
          '--cached-only',
          '--node-modules-dir=manual',
          '--no-prompt',
          `--allow-read=${ROOT},${scratch}`,
          `--allow-write=${scratch}`,
          `--allow-net=${nats.hostname}:${nats.port || 4222}`,
          '--allow-env',
        ]
      : ['--no-install', '--no-env-file'];
  const args = [NATS_URL, at.stream, at.prefix, at.subject, user, tenantOf(user)];
  const child = spawn(binary(runtime), [...flags, SCRIPT, ...args, join(scratch, 'lists.db')], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exited with ${code}`);
        resolve(JSON.parse(line) as Record<string, unknown>);
      } catch (error) {
        reject(new Error(`${runtime}: ${(error as Error).message}\n${out}\n${err}`));
      }
    });
  });
}

describe.skipIf(!up)('a server-mode replica on Deno and Bun', () => {
  for (const runtime of ['deno', 'bun'] as const) {
    it.skipIf(!available(runtime))(
      `syncs through the Node server under ${runtime}`,
      async () => {
        const user = `${runtime}user`;
        const seen = await replica(runtime, user);
        expect(seen).toEqual({
          runtime,
          first: { pushed: 2, conflicts: 0 },
          second: { pushed: 0, conflicts: 1 },
          pending: 0,
          conflicts: [['FORBIDDEN', `${user} is not a member of list alices.`]],
          streams: ['list-alices', `list-${user}s`].sort(),
          other: 0,
          items: [
            ['alices', []],
            [`${user}s`, ['milk']],
          ].sort(),
        });
        // the shared log holds its list as the server decided it, and nothing on alice's
        const log = await jetstreamLedger({ connection: nc, ...at });
        const tenant = tenants[runtime];
        try {
          const mine = await log.readStream(`list-${user}s`, { tenant });
          expect(mine.map((e) => e.type)).toEqual(['ListCreated', 'ItemAdded']);
          expect(await log.readStream('list-alices', { tenant })).toHaveLength(1);
        } finally {
          await log.close();
        }
      },
      60_000,
    );
  }
});
