/**
 * Encryption at rest on the IndexedDB driver, wherever there is an IndexedDB: Node runs it on
 * fake-indexeddb, `npm run test:browser` in Chromium on the real thing. The raw records of every
 * object store hold no plaintext of payloads, models or snapshots, where the same app without the
 * wrapper leaves them readable (the control); the key check refuses another key. Imports nothing
 * of Node, so that it bundles for the browser.
 */
import { describe, expect, it } from 'vitest';
import { indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import { type Driver, isWhizbangError, whizbang } from '../../js/mod.ts';
import { encryptAtRest } from '../../js/protect/at-rest.ts';
import { ada, customers, Register, register } from './fixture.ts';
import { records } from './idb-records.ts';

/** Where the suite runs: an IndexedDB, its key ranges and fresh database names. */
export interface AtRestIndexedDbEnvironment {
  readonly indexedDB: IDBFactory;
  readonly IDBKeyRange: typeof IDBKeyRange;
  readonly freshName: () => string;
}

const secrets = ['ada.c-1@example.org', 'Analytical Engine Row c-1', 'Ada Lovelace', 'snap-secret'];

async function fill(driver: Driver): Promise<void> {
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
  await app.close();
}

const deleteDatabase = (factory: IDBFactory, name: string) =>
  new Promise<void>((resolve) => {
    const r = factory.deleteDatabase(name);
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });

/** Registers the at-rest tests on `env`. */
export function atRestIndexedDbSuite(label: string, env: AtRestIndexedDbEnvironment): void {
  const open = (name: string) =>
    indexedDbDriver({ name, indexedDB: env.indexedDB, IDBKeyRange: env.IDBKeyRange });
  const newKey = () =>
    crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);

  describe(`${label}: encryption at rest`, () => {
    it('leaves no plaintext in the records; the control without the wrapper does', async () => {
      const key = await newKey();
      const [sealed, clear] = [`atrest-${env.freshName()}`, `atrest-${env.freshName()}`];
      await fill(await encryptAtRest(await open(sealed), { key }));
      await fill(await open(clear));
      const [sealedRecords, clearRecords] = [
        await records(env.indexedDB, sealed),
        await records(env.indexedDB, clear),
      ];
      for (const s of secrets) {
        expect(clearRecords).toContain(s);
        expect(sealedRecords).not.toContain(s);
      }
      expect(sealedRecords).toContain('at-rest.1:');

      // reopened: the same key reads it, another key is refused before anything is read
      const again = await encryptAtRest(await open(sealed), { key });
      const app = whizbang('shop')
        .receptor(register)
        .perspective(customers)
        .build({ driver: again });
      expect(await app.lens(customers).get('c-2')).toMatchObject({ email: 'ada.c-2@example.org' });
      await app.close();
      const other = await open(sealed);
      let code: string | undefined;
      try {
        await encryptAtRest(other, { key: await newKey() });
      } catch (error) {
        code = isWhizbangError(error) ? error.code : String(error);
      }
      expect(code).toBe('AT_REST_KEY_MISMATCH');
      await other.close?.();
      await deleteDatabase(env.indexedDB, sealed);
      await deleteDatabase(env.indexedDB, clear);
    });
  });
}
