// Protected fields over JetStream: the stream never holds them in clear; the keys live in a NATS
// KV bucket, and forget purges the subject's key from it.
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamDriver, natsKeyStore } from '../../adapters/nats/node.ts';
import { whizbang } from '../../js/mod.ts';
import { protect, REDACTED } from '../../js/protect/mod.ts';
import { NATS_URL, natsReachable } from '../support/services.ts';
import { ada, customers, masterKey, Register, Registered, Renamed, register } from './fixture.ts';

const up = await natsReachable('NATS (protect)');
const run = `${process.pid}_${Date.now().toString(36)}`;
const stream = `WB_PROTECT_${run}`;
const bucket = `WB_PROTECT_KEYS_${run}`;
let nc: NatsConnection;
beforeAll(async () => {
  if (up) nc = await connect({ servers: NATS_URL });
});
afterAll(async () => {
  if (!up) return;
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(stream).catch(() => undefined);
  await jsm.streams.delete(`KV_${bucket}`).catch(() => undefined);
  await nc.close();
});

// every message of a stream, as text
const rawStream = async (name: string): Promise<string> => {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(name);
  let out = '';
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(name, { seq }).catch(() => null);
    if (m !== null) out += `${m.subject} ${new TextDecoder().decode(m.data)}\n`;
  }
  return out;
};

describe.skipIf(!up)('protect on NATS JetStream', () => {
  it('keeps the stream free of the values; forget purges the key from the KV bucket', async () => {
    const master = await masterKey();
    const keys = natsKeyStore(nc, { bucket });
    const driver = protect(
      await jetstreamDriver({ connection: nc, stream, prefix: `wbp.${run}` }),
      { master, keys, events: [Registered, Renamed] },
    );
    const app = whizbang('shop').receptor(register).perspective(customers).build({ driver });
    await app.send(Register(ada('c-1')));
    await app.send(Register(ada('c-2')));
    await app.waitForPerspectives();
    expect(await app.lens(customers).get('c-1')).toMatchObject({ email: 'ada.c-1@example.org' });
    const raw = await rawStream(stream);
    expect(raw).toContain('London');
    expect(raw).not.toContain('ada.c-1@example.org');
    expect(raw).not.toContain('Analytical Engine');
    const wrappedBefore = await rawStream(`KV_${bucket}`);
    expect(wrappedBefore.split('\n').filter(Boolean)).toHaveLength(2);

    expect(await driver.forget('c-1')).toBe(true);
    expect(await keys.get('c-1')).toBeUndefined();
    expect(await keys.get('c-2')).toBeDefined();
    const wrappedAfter = (await rawStream(`KV_${bucket}`)).split('\n').filter(Boolean);
    // the purge leaves a marker with no value; c-1's wrapped key is gone from the stream
    expect(wrappedAfter.filter((line) => line.includes('"wrapped"'))).toHaveLength(1);
    await app.rebuild(customers);
    expect(await app.lens(customers).get('c-1')).toMatchObject({ email: REDACTED, city: 'London' });
    expect(await app.lens(customers).get('c-2')).toMatchObject({ email: 'ada.c-2@example.org' });
    await app.close();
  });
});
