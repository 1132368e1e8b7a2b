/**
 * Encryption at rest for replicas: `encryptAtRest(driver, { key })` opens a local driver (SQLite,
 * IndexedDB, memory) so that event payloads, read models, snapshots and outbox messages are stored
 * as AES-GCM ciphertext under a key the app provides, and are decrypted as they are read. Its code
 * loads on the first call, so an app that only protects fields does not carry it.
 */
import type { Driver } from '../contracts/driver.ts';
import type { AtRestOptions } from './atrest-open.ts';

export type { AtRestOptions } from './atrest-open.ts';

/**
 * Opens `driver` encrypted at rest under `options.key`: the first open of an empty database
 * writes its key check; later opens refuse another key (AT_REST_KEY_MISMATCH), no key
 * (AT_REST_KEY_REQUIRED) and a database already holding events in clear (AT_REST_CLEAR_DATA).
 * Open the database only through it: the driver under it reads ciphertext.
 */
export async function encryptAtRest(driver: Driver, options: AtRestOptions): Promise<Driver> {
  return (await import('./atrest-open.ts')).openAtRest(driver, options);
}

/** Whether `driver`'s database is encrypted at rest (it holds the key check `encryptAtRest` writes). */
export async function isEncryptedAtRest(driver: Driver): Promise<boolean> {
  return (await import('./atrest-open.ts')).hasKeyCheck(driver);
}
