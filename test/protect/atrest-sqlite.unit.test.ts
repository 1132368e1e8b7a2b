// A real SQLite file encrypted at rest: after an app wrote events, models, a snapshot and an
// outbox record, neither the file nor its WAL holds a byte of their plaintext. The same search
// finds every secret when the same app runs without the wrapper (the control).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type SqliteDriver, sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { type Driver, whizbang } from '../../js/mod.ts';
import { encryptAtRest } from '../../js/protect/at-rest.ts';
import { bytesOf } from './file-bytes.ts';
import { ada, customers, Register, register } from './fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'atrest-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const secrets = ['ada.c-1@example.org', 'Analytical Engine Row c-1', 'Ada Lovelace', 'snap-secret'];

/** Fills the app's database; answers with the bytes before and after a WAL checkpoint. */
async function fill(driver: Driver, sqlite: SqliteDriver, path: string): Promise<string> {
  const app = whizbang('shop').receptor(register).perspective(customers).build({ driver });
  await app.send(Register(ada('c-1')));
  await app.send(Register(ada('c-2')));
  await app.waitForPerspectives();
  await driver.snapshots!.save('customer', 'default', 'c-1', {
    version: 1,
    state: { note: 'snap-secret' },
    schemaVersion: 1,
    takenAt: 1,
  });
  expect(await app.lens(customers).get('c-1')).toMatchObject({ email: 'ada.c-1@example.org' });
  // before a checkpoint the pages are in the WAL; after it, in the file: both are searched
  const before = bytesOf(path);
  sqlite.database.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
  await app.close();
  return before + bytesOf(path);
}

describe('SQLite file encrypted at rest', () => {
  it('holds no plaintext of payloads, models or snapshots; the control without the wrapper does', async () => {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]);
    const sealed = join(dir, 'sealed.db');
    const clear = join(dir, 'clear.db');
    const a = sqliteDriver({ path: sealed });
    const sealedBytes = await fill(await encryptAtRest(a, { key }), a, sealed);
    const b = sqliteDriver({ path: clear });
    const clearBytes = await fill(b, b, clear);
    for (const s of secrets) {
      expect(clearBytes).toContain(s);
      expect(sealedBytes).not.toContain(s);
    }
    // what stays clear: the types and stream ids the driver indexes
    expect(sealedBytes).toContain('customer-c-1');

    const again = sqliteDriver({ path: sealed });
    const app = whizbang('shop')
      .receptor(register)
      .perspective(customers)
      .build({ driver: await encryptAtRest(again, { key }) });
    expect(await app.lens(customers).get('c-2')).toMatchObject({ email: 'ada.c-2@example.org' });
    await app.close();
    again.close();
  });
});
