// Offline sync over a replica encrypted at rest: pushes and pulls go through the wrapper (the
// shared log gets the events as decided, the replica keeps them sealed), a commit displaced by
// another writer's is decided again on the encrypted replica, and its SQLite file holds none of
// the plaintext, pending commands included.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { accounts, createBank, Deposit, OpenAccount } from '../../examples/bank/domain.ts';
import { memoryLedger } from '../../js/memory/ledger.ts';
import { encryptAtRest } from '../../js/protect/at-rest.ts';
import { offlineDriver } from '../../js/sync/driver.ts';
import { startSync } from '../../js/sync/engine.ts';
import { bytesOf } from './file-bytes.ts';

const dir = mkdtempSync(join(tmpdir(), 'atrest-sync-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('offline sync on an encrypted replica', () => {
  it('pushes, pulls and re-decides through the wrapper; the file stays sealed', async () => {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]);
    const remote = memoryLedger();
    const pathA = join(dir, 'a.db');
    const sqliteA = sqliteDriver({ path: pathA });
    const a = createBank({ driver: offlineDriver(await encryptAtRest(sqliteA, { key })) });
    const b = createBank({ driver: offlineDriver(sqliteDriver({ path: join(dir, 'b.db') })) });
    const syncA = startSync(a, { remote });
    const syncB = startSync(b, { remote });

    await a.send(OpenAccount({ accountId: 'acc', owner: 'Ada Atrest-Owner' }));
    // pending commit, kept with its command, sealed in the replica's store
    expect(await syncA.pending()).toHaveLength(1);
    // the WAL is read with the file: every page written is in one or the other
    expect(bytesOf(pathA)).not.toContain('Atrest-Owner');
    await syncA.run();
    // the shared log gets the event as decided, in clear (the server's storage is its own)
    expect((await remote.readAll())[0]?.data).toMatchObject({ owner: 'Ada Atrest-Owner' });

    await syncB.run();
    await b.send(Deposit({ accountId: 'acc', amount: 40 }));
    // a decides offline on a state b has moved on from: the next round re-decides it
    await a.send(Deposit({ accountId: 'acc', amount: 2 }));
    await syncB.run();
    const report = await syncA.run();
    expect(report).toMatchObject({ redecided: 1 });
    await syncA.run();
    await syncB.run();
    expect((await a.lens(accounts).get('acc'))?.balance).toBe(42);
    expect((await b.lens(accounts).get('acc'))?.balance).toBe(42);
    expect(await syncA.pending()).toEqual([]);

    await a.waitForPerspectives();
    const raw = bytesOf(pathA);
    expect(raw).not.toContain('Atrest-Owner');
    expect(raw).toContain('MoneyDeposited'); // types stay clear, for the driver's indexes
    await a.close();
    await b.close();
  });
});

describe('the order of the wrappers', () => {
  it('refuses to sync an encrypted driver over the offline one: its ciphertext would travel', async () => {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]);
    const wrong = await encryptAtRest(offlineDriver(sqliteDriver({ path: join(dir, 'w.db') })), {
      key,
    });
    const app = createBank({ driver: wrong });
    let code: string | undefined;
    try {
      startSync(app, { remote: memoryLedger() });
    } catch (error) {
      code = (error as { code?: string }).code;
    }
    expect(code).toBe('INVALID_ARGUMENT');
    await app.close();
  });
});
