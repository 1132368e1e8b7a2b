// The outbox under protect: an event's record holds its protected fields sealed, and the relay
// delivers them opened, or REDACTED once the subject is forgotten.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import type { Driver } from '../../js/contracts/driver.ts';
import type { WireEnvelope } from '../../js/contracts/transport.ts';
import { memoryDriver, memoryTransport, whizbang } from '../../js/mod.ts';
import { memoryKeyStore, protect, REDACTED } from '../../js/protect/mod.ts';
import { bytesOf } from './file-bytes.ts';
import { ada, masterKey, Register, Registered, Renamed, register } from './fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'protectrest-outbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function shop(inner: Driver) {
  const driver = protect(inner, {
    master: await masterKey(),
    keys: memoryKeyStore(),
    events: [Registered, Renamed],
  });
  const app = whizbang('shop')
    .receptor(register)
    .route(Registered, { to: 'outbox' })
    .build({ driver });
  const transport = memoryTransport();
  const delivered: WireEnvelope[] = [];
  await transport.subscribe('whizbang.events.Registered', (envelope) => {
    delivered.push(envelope);
  });
  const deliver = async () => {
    const relay = app.relay(transport);
    await relay.flush();
    await relay.stop();
    return delivered.map((e) => e.message.data as Record<string, unknown>);
  };
  return { driver, app, deliver, transport };
}

describe('protect and the outbox', () => {
  it('delivers the clear values while the subject is known', async () => {
    const { app, deliver, transport } = await shop(memoryDriver());
    await app.send(Register(ada('c-1')));
    const [data] = await deliver();
    expect(data).toEqual(ada('c-1'));
    await app.close();
    await transport.close();
  });

  it('writes outbox records sealed on SQLite; after forget the relay delivers REDACTED', async () => {
    const path = join(dir, 'outbox.db');
    const sqlite = sqliteDriver({ path });
    const { driver, app, deliver, transport } = await shop(sqlite);
    await app.send(Register(ada('c-1')));
    await app.send(Register(ada('c-2')));
    const rows = sqlite.database.prepare('SELECT envelope FROM whizbang_outbox').all();
    expect(rows).toHaveLength(2);
    const stored = JSON.stringify(rows);
    for (const secret of [
      'ada.c-1@example.org',
      'Analytical Engine Row c-1',
      'ada.c-2@example.org',
    ])
      expect(stored).not.toContain(secret);
    expect(stored).toContain('London'); // the fields not protected stay readable
    sqlite.database.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
    expect(bytesOf(path)).not.toContain('ada.c-1@example.org');

    expect(await driver.forget('c-1')).toBe(true);
    const delivered = await deliver();
    expect(delivered).toEqual([
      { ...ada('c-1'), email: REDACTED, address: { street: REDACTED, city: 'London' } },
      ada('c-2'),
    ]);
    // the seal's marker does not travel
    expect(JSON.stringify(delivered)).not.toContain('"protected"');
    await app.close();
    await transport.close();
  });
});
