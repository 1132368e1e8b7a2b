/**
 * Encryption at rest for replicas: `encryptAtRest(driver, { key })` opens a local driver (SQLite,
 * IndexedDB, memory) so that event payloads, read models, snapshots and outbox records are stored
 * as AES-GCM ciphertext under a key the app provides (derived from the user's login, or handed out
 * by the server after authentication), and decrypted as they are read. Without the key the replica
 * does not open (AT_REST_KEY_REQUIRED), with another key neither (AT_REST_KEY_MISMATCH).
 *
 * @example
 * ```ts
 * import { memoryDriver } from 'whizbang';
 * import { encryptAtRest } from 'whizbang/protect/at-rest';
 *
 * const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
 * const driver = await encryptAtRest(memoryDriver(), { key });
 * ```
 * @module
 */

export type { AtRestOptions } from './atrest-open.ts';
export { encryptAtRest, isEncryptedAtRest } from './atrest-open.ts';
export type { Cipher } from './crypto.ts';
export type { CryptoKey } from './webcrypto.ts';
