/**
 * Offline sync of a protected app (`protect(offlineDriver(sqlite))`) with a server on the JetStream
 * log, the keys in a NATS KV bucket and local copies on the replica: the log holds sealed values
 * only, both ways; a subject forgotten on the server is dropped by the replica at its next round
 * (read models rebuilt redacted, no plaintext left in the replica's SQLite file), also by one that
 * was offline while the subject was forgotten and made again; a command displaced by another
 * writer is decided again on the decrypted state and its events are sealed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jetstreamDriver,
  jetstreamLedger,
  natsKeyStore,
  natsSyncLink,
  natsSyncServer,
} from '../../adapters/nats/node.ts';
import { sqliteDriver, sqliteKeyStore } from '../../adapters/sqlite/mod.ts';
import {
  defineCommand,
  defineEvent,
  defineReceptor,
  defineState,
  payload,
  whizbang,
} from '../../js/mod.ts';
import { protect, REDACTED, replicaKeyStore } from '../../js/protect/mod.ts';
import { authoritativeDriver, offlineDriver, startSync, syncServer } from '../../js/sync/mod.ts';
import { ada, customers, masterKey, Register, Registered, register } from '../protect/fixture.ts';
import { NATS_URL, natsReachable } from '../support/services.ts';

const up = await natsReachable('protected offline sync');
const run = `keysync_${process.pid}_${Date.now().toString(36)}`;
const stream = `WB_${run}`;
const prefix = `wbk.${run}`;
const bucket = `WB_KEYS_${run}`;
const dir = mkdtempSync(join(tmpdir(), 'whizbang-keysync-'));
let nc: NatsConnection;
const closing: Array<() => unknown> = [];

beforeAll(async () => {
  if (up) nc = await connect({ servers: NATS_URL });
});
afterAll(async () => {
  for (const close of closing.reverse()) await close();
  if (nc !== undefined) {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(stream).catch(() => undefined);
    await jsm.streams.delete(`KV_${bucket}`).catch(() => undefined);
    await nc.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

// a receptor whose decision reads a protected field of the state: the event keeps the email it replaces
const ChangeEmail = defineCommand('ChangeEmail', payload<{ customerId: string; email: string }>());
const EmailChanged = defineEvent(
  'EmailChanged',
  payload<{ customerId: string; email: string; previous: string }>(),
  { protect: { subject: (e) => e.data.customerId, fields: ['email', 'previous'] } },
);
const Email = defineState<{ email: string }, ReturnType<typeof Registered | typeof EmailChanged>>({
  name: 'email',
  initial: () => ({ email: '' }),
  evolve: (_s, e) => ({ email: e.data.email }),
});
const changeEmail = defineReceptor({
  command: ChangeEmail,
  stream: (c) => `customer-${c.data.customerId}`,
  state: Email,
  decide: (c, s) => {
    if (s.email === '') throw new Error('unknown customer');
    return EmailChanged({ ...c.data, previous: s.email });
  },
});
const events = [Registered, EmailChanged];
const shop = () => whizbang('shop').receptor(register).receptor(changeEmail).perspective(customers);

const master = await masterKey();

async function server() {
  const keys = natsKeyStore(nc, { bucket });
  const driver = protect(await jetstreamDriver({ connection: nc, stream, prefix }), {
    master,
    keys,
    events,
  });
  const app = shop().build({ driver });
  closing.push(() => app.close());
  return { app, driver, keys };
}

/** The server in server mode: it decides pushed commands on decrypted state and seals the result. */
async function authority() {
  const keys = natsKeyStore(nc, { bucket });
  const driver = authoritativeDriver(
    protect(await jetstreamDriver({ connection: nc, stream, prefix }), { master, keys, events }),
  );
  const app = shop().build({ driver });
  const allow = () => true;
  const listening = await natsSyncServer(
    syncServer(app, { authorize: { Register: allow, ChangeEmail: allow } }),
    {
      connection: nc,
      subject: `wbkpush.${run}`,
      principal: (user) => ({ userId: user, tenant: 'default', roles: [] }),
    },
  );
  closing.push(
    () => app.close(),
    () => listening.close(),
  );
  return { app, driver };
}

async function replica(name: string, serverMode = false) {
  const path = join(dir, `${name}.db`);
  const local = sqliteDriver({ path });
  local.database.exec('PRAGMA secure_delete = ON');
  const keys = replicaKeyStore({
    local: sqliteKeyStore(local.database),
    shared: natsKeyStore(nc, { bucket }),
  });
  const driver = protect(offlineDriver(local), { master, keys, events });
  const app = shop().build({ driver });
  const remote = await jetstreamLedger({ connection: nc, stream, prefix });
  const server = serverMode
    ? await natsSyncLink({ connection: nc, subject: `wbkpush.${run}`, as: name })
    : undefined;
  const sync = startSync(app, server === undefined ? { remote } : { remote, server });
  closing.push(async () => {
    await sync.stop();
    await app.close();
    await remote.close();
  });
  // the file's bytes, the WAL checkpointed into it first
  const bytes = (): string => {
    local.database.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
    let out = readFileSync(path, 'latin1');
    try {
      out += readFileSync(`${path}-wal`, 'latin1');
    } catch {
      // no WAL file
    }
    return out;
  };
  return { app, driver, sync, bytes };
}

// every message of the JetStream stream, as text
async function rawLog(): Promise<string> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  let out = '';
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (m !== null) out += `${new TextDecoder('latin1').decode(m.data)}\n`;
  }
  return out;
}

describe.skipIf(!up)('offline sync of protected fields', () => {
  it('syncs sealed values both ways, decides again on decrypted state, and propagates forget', async () => {
    const hq = await server();
    const ann = await replica('ann');
    const bob = await replica('bob');

    // both ways: the replica's registration goes up sealed, the server's comes down sealed
    await ann.app.send(Register(ada('r-1')));
    expect(await ann.sync.run()).toMatchObject({ pushed: 1, conflicts: 0 });
    await hq.app.send(Register(ada('s-1')));
    await hq.app.send(Register(ada('s-2')));
    expect(await ann.sync.run()).toMatchObject({ pulled: 2, forgotten: 0 });
    expect(await bob.sync.run()).toMatchObject({ pulled: 3 });
    for (const r of [ann, bob]) {
      expect(await r.app.lens(customers).get('s-1')).toMatchObject({
        email: 'ada.s-1@example.org',
      });
      expect(await r.app.lens(customers).get('r-1')).toMatchObject({
        street: '12 Analytical Engine Row r-1',
      });
    }
    const log = await rawLog();
    expect(log).toContain('London'); // positive control: what is not protected is in clear
    expect(log).not.toContain('@example.org');
    expect(log).not.toContain('Analytical Engine');

    // a command displaced by the server's is decided again on the decrypted state, sealed
    await hq.app.send(ChangeEmail({ customerId: 'r-1', email: 'first@example.org' }));
    await ann.app.send(ChangeEmail({ customerId: 'r-1', email: 'second@example.org' }));
    expect(await ann.sync.run()).toMatchObject({ redecided: 1, pushed: 1, conflicts: 0 });
    const r1 = await hq.driver.ledger.readStream('customer-r-1');
    expect(r1.map((e) => e.data)).toMatchObject([
      { email: 'ada.r-1@example.org' },
      { email: 'first@example.org', previous: 'ada.r-1@example.org' },
      { email: 'second@example.org', previous: 'first@example.org' },
    ]);
    expect(await rawLog()).not.toContain('@example.org');
    expect(await ann.app.lens(customers).get('r-1')).toMatchObject({
      email: 'ada.r-1@example.org', // the perspective keeps the registration's email
      street: '12 Analytical Engine Row r-1',
    });

    // forget on the server: the replica drops the key at its next round and rebuilds
    expect(ann.bytes()).toContain('ada.s-1@example.org');
    expect(await hq.driver.forget('s-1')).toBe(true);
    expect(await ann.sync.run()).toMatchObject({ forgotten: 1, conflicts: 0 });
    expect(await ann.app.lens(customers).get('s-1')).toMatchObject({
      email: REDACTED,
      street: REDACTED,
      city: 'London',
    });
    expect(await ann.app.lens(customers).get('s-2')).toMatchObject({
      email: 'ada.s-2@example.org',
    });
    const [gone] = await ann.driver.ledger.readStream('customer-s-1');
    expect(gone?.data).toMatchObject({ email: REDACTED, name: 'Ada Lovelace' });
    const bytes = ann.bytes();
    expect(bytes).toContain('ada.s-2@example.org'); // positive control: the others stay
    expect(bytes).not.toContain('ada.s-1@example.org');
    expect(bytes).not.toContain('Analytical Engine Row s-1');
    expect(await ann.sync.run()).toMatchObject({ forgotten: 0 });

    // a replica offline meanwhile catches up; s-2, forgotten and registered again with a new key
    // while it was away, shows its old event redacted and its new one in clear
    expect(await hq.driver.forget('s-2')).toBe(true);
    await hq.app.send(Register({ ...ada('s-2'), email: 'again@example.org' }));
    expect(await bob.sync.run()).toMatchObject({ forgotten: 2, conflicts: 0 });
    await expect(hq.keys.changes!('not a revision')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(await bob.app.lens(customers).get('s-1')).toMatchObject({ email: REDACTED });
    const s2 = await bob.driver.ledger.readStream('customer-s-2');
    expect(s2.map((e) => e.data)).toMatchObject([
      { email: REDACTED },
      { email: 'again@example.org' },
    ]);
    expect(await bob.app.lens(customers).get('s-2')).toMatchObject({ email: 'again@example.org' });
    expect(bob.bytes()).not.toContain('ada.s-1@example.org');
    expect(bob.bytes()).not.toContain('ada.s-2@example.org');
    expect(bob.bytes()).toContain('ada.r-1@example.org');

    // a forget on a replica reaches the others the same way
    expect(await ann.driver.forget('r-1')).toBe(true);
    expect(await ann.app.lens(customers).get('r-1')).toMatchObject({
      email: 'ada.r-1@example.org',
    });
    expect(await bob.sync.run()).toMatchObject({ forgotten: 1 });
    expect(await bob.app.lens(customers).get('r-1')).toMatchObject({ email: REDACTED });
    expect(bob.bytes()).not.toContain('ada.r-1@example.org');
  });

  it('in server mode, the server decides on decrypted state, adopts what the replica decided and seals it', async () => {
    const hq = await authority();
    const cy = await replica('cy', true);
    await cy.app.send(Register(ada('m-1')));
    expect(await cy.sync.run()).toMatchObject({ confirmed: 1, conflicts: 0 });
    await cy.app.send(ChangeEmail({ customerId: 'm-1', email: 'new.m-1@example.org' }));
    // adopted: the replica keeps its own events (confirmed by their ids, nothing rebuilt)
    expect(await cy.sync.run()).toMatchObject({ confirmed: 1, pulled: 0, conflicts: 0 });
    const m1 = await hq.driver.ledger.readStream('customer-m-1');
    expect(m1.map((e) => e.data)).toMatchObject([
      { email: 'ada.m-1@example.org' },
      { email: 'new.m-1@example.org', previous: 'ada.m-1@example.org' },
    ]);
    const log = await rawLog();
    expect(log).toContain('m-1'); // positive control: the subject's id is in clear
    expect(log).not.toContain('m-1@example.org');
    expect(log).not.toContain('Analytical Engine');
    expect(await hq.driver.forget('m-1')).toBe(true);
    expect(await cy.sync.run()).toMatchObject({ forgotten: 1 });
    expect(await cy.app.lens(customers).get('m-1')).toMatchObject({ email: REDACTED });
    expect(cy.bytes()).not.toContain('m-1@example.org');
  });
});
