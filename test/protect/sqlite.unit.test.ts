// After forget, the SQLite file (and its WAL) holds none of the subject's protected values.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type SqliteDriver, sqliteDriver, sqliteKeyStore } from '../../adapters/sqlite/mod.ts';
import { whizbang } from '../../js/mod.ts';
import { protect, REDACTED } from '../../js/protect/mod.ts';
import { bytesOf } from './file-bytes.ts';
import {
  ada,
  customers,
  masterKey,
  Register,
  Registered,
  Rename,
  Renamed,
  register,
  rename,
} from './fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'whizbang-protect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('protect on SQLite', () => {
  it('leaves no plaintext of a forgotten subject in the file; the app reopens and rebuilds', async () => {
    const path = join(dir, 'shop.db');
    const master = await masterKey();
    const open = (): { sqlite: SqliteDriver; app: ReturnType<typeof build> } => {
      const sqlite = sqliteDriver({ path });
      // read models hold personal data in clear: let SQLite overwrite what it frees
      sqlite.database.exec('PRAGMA secure_delete = ON');
      const driver = protect(sqlite, {
        master,
        keys: sqliteKeyStore(sqlite.database),
        events: [Registered, Renamed],
      });
      return { sqlite, app: build(driver) };
    };
    const build = (driver: ReturnType<typeof protect>) =>
      Object.assign(
        whizbang('shop')
          .receptor(register)
          .receptor(rename)
          .perspective(customers)
          .build({ driver }),
        { forget: driver.forget },
      );
    const secrets = ['ada.c-1@example.org', 'Analytical Engine Row c-1', 'Ada King'];
    const { sqlite, app } = open();
    await app.send(Register(ada('c-1')));
    await app.send(Register(ada('c-2')));
    await app.send(Rename({ customerId: 'c-1', name: 'Ada King' }));
    await app.waitForPerspectives();
    const checkpoint = () => sqlite.database.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
    checkpoint();
    // the read model keeps them in clear before: the search finds what it looks for
    for (const s of secrets) expect(bytesOf(path)).toContain(s);

    await app.forget('c-1');
    await app.rebuild(customers);
    checkpoint();
    const raw = bytesOf(path);
    for (const s of secrets) expect(raw).not.toContain(s);
    expect(raw).toContain('ada.c-2@example.org');
    await app.close();
    sqlite.close();

    const again = open();
    expect(await again.app.lens(customers).get('c-1')).toEqual({
      name: REDACTED,
      email: REDACTED,
      street: REDACTED,
      city: 'London',
    });
    await again.app.rebuild(customers);
    expect(await again.app.lens(customers).get('c-2')).toMatchObject({
      email: 'ada.c-2@example.org',
    });
    await again.app.send(Rename({ customerId: 'c-2', name: 'Bo' }));
    expect(await again.app.lens(customers).get('c-2')).toMatchObject({ name: 'Bo' });
    await again.app.close();
    again.sqlite.close();
  });
});
