// Encryption at rest: a round trip through an app, the key check (wrong, missing, clear
// database), tampered records, and lens queries answered over encrypted models.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { type Driver, isWhizbangError, memoryDriver, whizbang } from '../../js/mod.ts';
import { encryptAtRest, isEncryptedAtRest } from '../../js/protect/at-rest.ts';
import { memoryKeyStore, protect, REDACTED } from '../../js/protect/mod.ts';
import { nodeCipher } from '../../js/protect/node.ts';
import { ada, customers, Register, Registered, register } from './fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'atrest-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const newKey = () =>
  crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
const codeOf = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
  } catch (error) {
    return isWhizbangError(error) ? error.code : String(error);
  }
  return undefined;
};
const shop = (driver: Driver) =>
  whizbang('shop').receptor(register).perspective(customers).build({ driver });

describe('encryptAtRest', () => {
  it('round-trips events and models through an app; the driver under it holds ciphertext', async () => {
    const inner = memoryDriver();
    const key = await newKey();
    const app = shop(await encryptAtRest(inner, { key }));
    await app.send(Register(ada('c-1')));
    await app.send(Register({ ...ada('c-2'), name: 'Bo', tier: 'silver' }));
    await app.send(Register({ ...ada('c-3'), name: 'Cy' }));
    await app.waitForPerspectives();

    const lens = app.lens(customers);
    expect(await lens.get('c-1')).toMatchObject({ email: 'ada.c-1@example.org' });
    // the query runs in memory over the opened models: filter, sort, page
    const named = await lens.query({ where: { city: 'London' }, orderBy: { name: 'desc' } });
    expect(named.map((m) => m.name)).toEqual(['Cy', 'Bo', 'Ada Lovelace']);
    expect(await lens.query({ where: { name: { contains: 'y' } }, limit: 1 })).toHaveLength(1);
    expect(await lens.count({ where: { name: 'Bo' } })).toBe(1);

    const raw = (await inner.ledger.readAll()) as unknown as Array<{
      data: unknown;
      metadata: unknown;
    }>;
    expect(raw).toHaveLength(3);
    for (const e of raw) {
      expect(typeof e.data).toBe('string');
      expect(e.data as string).toMatch(/^at-rest\.1:/);
      expect(e.data as string).not.toContain('Ada');
    }
    const model = await inner.store.get('customers', 'default', 'c-1');
    expect(model?.model).toMatch(/^at-rest\.1:/);
    expect(await isEncryptedAtRest(inner)).toBe(true);
    await app.close();

    // reopened with the same key: the same answers
    const again = shop(await encryptAtRest(inner, { key, cipher: nodeCipher() }));
    expect(await again.lens(customers).get('c-2')).toMatchObject({ name: 'Bo' });
    const events = await again.ledger.readStream('customer-c-3');
    expect(events[0]?.data).toMatchObject({ name: 'Cy' });
    await again.close();
  });

  it('refuses a wrong key, a missing key and a clear database, writing nothing', async () => {
    const inner = memoryDriver();
    const key = await newKey();
    expect(await codeOf(encryptAtRest(inner, { key: undefined }))).toBe('AT_REST_KEY_REQUIRED');
    expect(await isEncryptedAtRest(inner)).toBe(false);
    const wrapped = await encryptAtRest(inner, { key });
    await wrapped.ledger.append('s-1', [Registered(ada())]);

    expect(await codeOf(encryptAtRest(inner, { key: await newKey() }))).toBe(
      'AT_REST_KEY_MISMATCH',
    );
    const missing = await codeOf(encryptAtRest(inner, { key: undefined }));
    expect(missing).toBe('AT_REST_KEY_REQUIRED');
    const wrongKind = await crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, [
      'wrapKey',
      'unwrapKey',
    ]);
    expect(await codeOf(encryptAtRest(inner, { key: wrongKind }))).toBe('AT_REST_KEY_REQUIRED');

    // a database with events in clear is not encrypted from now on: clear and sealed never mix
    const clear = memoryDriver();
    await clear.ledger.append('s-1', [Registered(ada())]);
    expect(await codeOf(encryptAtRest(clear, { key }))).toBe('AT_REST_CLEAR_DATA');
    expect(await isEncryptedAtRest(clear)).toBe(false);
  });

  it('keeps snapshots, outbox records and unfinished handlings sealed', async () => {
    const inner = memoryDriver();
    const driver = await encryptAtRest(inner, { key: await newKey() });
    const snapshot = { version: 3, state: { secret: 'snap-secret' }, schemaVersion: 1, takenAt: 1 };
    await driver.snapshots!.save('customer', 'default', 'c-1', snapshot);
    expect(JSON.stringify(await inner.snapshots!.load('customer', 'default', 'c-1'))).not.toContain(
      'snap-secret',
    );
    expect(await driver.snapshots!.load('customer', 'default', 'c-1')).toEqual(snapshot);

    const envelope = {
      message: { kind: 'event', type: 'Registered', data: { email: 'out-secret' } },
      messageId: 'm-1',
      correlationId: 'm-1',
      causationId: 'm-1',
      streamId: 'customer-c-1',
      tenant: 'default',
      timestamp: 1,
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      hops: [],
    } as const;
    const record = {
      id: 'm-1',
      topic: 't.x',
      envelope,
      attempts: 0,
      enqueuedAt: 1,
      availableAt: 1,
    };
    await driver.store.transaction(async (tx) => {
      await tx.outbox!.enqueue([record]);
      await tx.outbox!.markHandled('default', 'in-1', { step: 'rest-secret' });
    });
    expect(JSON.stringify(await inner.store.outbox!.pending(10, 2))).not.toContain('out-secret');
    expect(await driver.store.outbox!.pending(10, 2)).toMatchObject([{ envelope }]);
    expect(JSON.stringify(await inner.store.outbox!.unfinished('default', 'in-1'))).not.toContain(
      'rest-secret',
    );
    expect(await driver.store.outbox!.unfinished('default', 'in-1')).toEqual({
      step: 'rest-secret',
    });
  });
});

describe('tampered records in a SQLite file', () => {
  it('refuses changed, moved and clear payloads and models with AT_REST_TAMPERED', async () => {
    const sqlite = sqliteDriver({ path: join(dir, 'tamper.db') });
    const key = await newKey();
    const driver = await encryptAtRest(sqlite, { key });
    await driver.ledger.append('s-1', [Registered(ada('c-1'))]);
    await driver.ledger.append('s-2', [Registered(ada('c-2'))]);
    const put = (id: string) =>
      driver.store.transaction((tx) =>
        tx.put('p', {
          id,
          tenant: 'default',
          model: { id },
          version: 1,
          position: 1,
          updatedAt: 1,
        }),
      );
    await put('a');
    await put('b');
    const db = sqlite.database;
    const data = (p: number) =>
      (db.prepare('SELECT data FROM whizbang_events WHERE position = ?').get(p) as { data: string })
        .data;
    const setData = (p: number, d: string) =>
      db.prepare('UPDATE whizbang_events SET data = ? WHERE position = ?').run(d, p);
    const [one, two] = [data(1), data(2)];
    const readCode = (p: number) =>
      codeOf(Promise.resolve().then(() => driver.ledger.readAll({ from: p, to: p })));

    // one byte of the ciphertext changed
    const text = JSON.parse(one) as string;
    const flipped = text.slice(0, 30) + (text[30] === 'A' ? 'B' : 'A') + text.slice(31);
    setData(1, JSON.stringify(flipped));
    expect(await readCode(1)).toBe('AT_REST_TAMPERED');
    // another event's ciphertext moved here
    setData(1, two);
    expect(await readCode(1)).toBe('AT_REST_TAMPERED');
    // a payload written in clear
    setData(1, JSON.stringify(ada('c-1')));
    expect(await readCode(1)).toBe('AT_REST_TAMPERED');
    setData(1, one);
    expect((await driver.ledger.readAll())[0]?.data).toMatchObject({ customerId: 'c-1' });
    expect(await readCode(2)).toBeUndefined();

    // a model moved to another id
    const modelOf = (id: string) =>
      (
        db
          .prepare("SELECT model FROM whizbang_models WHERE perspective = 'p' AND id = ?")
          .get(id) as {
          model: string;
        }
      ).model;
    db.prepare("UPDATE whizbang_models SET model = ? WHERE perspective = 'p' AND id = 'a'").run(
      modelOf('b'),
    );
    expect(await codeOf(Promise.resolve(driver.store.get('p', 'default', 'a')))).toBe(
      'AT_REST_TAMPERED',
    );
    expect(await codeOf(Promise.resolve(driver.store.query('p', 'default', {})))).toBe(
      'AT_REST_TAMPERED',
    );
    expect(await driver.store.get('p', 'default', 'b')).toMatchObject({ model: { id: 'b' } });
    sqlite.close();
  });
});

describe('protect over an encrypted replica', () => {
  it('seals the protected fields for forgetting, and the whole payload at rest', async () => {
    const inner = memoryDriver();
    const atRest = await encryptAtRest(inner, { key: await newKey() });
    const master = await crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, [
      'wrapKey',
      'unwrapKey',
    ]);
    const driver = protect(atRest, { master, keys: memoryKeyStore(), events: [Registered] });
    const app = shop(driver);
    await app.send(Register(ada('c-1')));
    await app.waitForPerspectives();
    expect(JSON.stringify(await inner.ledger.readAll())).not.toContain('London');
    // under the at-rest seal, the event as protect stored it: the email sealed, the city clear
    const [stored] = await atRest.ledger.readAll();
    expect(JSON.stringify(stored?.data)).toContain('London');
    expect(JSON.stringify(stored?.data)).not.toContain('ada.c-1@example.org');
    expect(await app.lens(customers).get('c-1')).toMatchObject({ email: 'ada.c-1@example.org' });
    await driver.forget('c-1');
    await app.rebuild(customers);
    expect(await app.lens(customers).get('c-1')).toMatchObject({ email: REDACTED, city: 'London' });
    await app.close();
  });
});
