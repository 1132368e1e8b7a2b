/**
 * Opening a driver encrypted at rest: the key check in the database tells a wrong key
 * (AT_REST_KEY_MISMATCH) and a missing one (AT_REST_KEY_REQUIRED) before anything is read, then
 * the ledger, store and snapshots are wrapped.
 */
import type { Driver } from '../contracts/driver.ts';
import type { StoredModel } from '../contracts/store.ts';
import { isWhizbangError } from '../util/errors.ts';
import { Box, contextOf } from './atrest-box.ts';
import {
  atRestClearData,
  atRestKeyMismatch,
  atRestKeyRequired,
  atRestTampered,
} from './atrest-errors.ts';
import { atRestLedger } from './atrest-ledger.ts';
import { atRestSnapshots } from './atrest-outbox.ts';
import { atRestStore } from './atrest-store.ts';
import { type Cipher, webCipher } from './crypto.ts';
import type { CryptoKey } from './webcrypto.ts';

/** Options of {@link encryptAtRest}. */
export interface AtRestOptions {
  /**
   * The replica's key: an AES-GCM `CryptoKey` (256 bits) with the usages `encrypt` and `decrypt`,
   * non-extractable. Derive it from the user's login (PBKDF2 or HKDF) or import the one the server
   * hands out after authentication; keep it out of the database. Undefined refuses with
   * AT_REST_KEY_REQUIRED.
   */
  readonly key: CryptoKey | undefined;
  /**
   * The AES-GCM implementation: WebCrypto by default (every read and write awaits it);
   * `nodeCipher()` from `whizbang/protect/node` is synchronous on `node:crypto`. Same bytes.
   */
  readonly cipher?: Cipher | undefined;
}

/** Where the key check lives: a model of its own perspective and tenant. */
const CHECK = 'whizbang.at-rest';
const CHECK_TEXT = 'whizbang at rest';

/** The key check stored in `driver`'s store, if any. */
async function keyCheck(driver: Driver): Promise<StoredModel | undefined> {
  return await driver.store.get(CHECK, CHECK, CHECK);
}

/** Whether `driver`'s database is encrypted at rest (it holds the key check `encryptAtRest` writes). */
export async function isEncryptedAtRest(driver: Driver): Promise<boolean> {
  return (await keyCheck(driver)) !== undefined;
}

function checkKey(key: CryptoKey): void {
  const k = key as { algorithm?: { name?: string }; usages?: readonly string[] };
  if (
    k.algorithm?.name !== 'AES-GCM' ||
    !k.usages?.includes('encrypt') ||
    !k.usages?.includes('decrypt')
  ) {
    throw atRestKeyRequired(false);
  }
}

/** Checks `box`'s key against the stored key check, or writes one into an empty database. */
async function open(driver: Driver, box: Box): Promise<void> {
  const check = await keyCheck(driver);
  if (check === undefined) {
    if ((await driver.ledger.headPosition()) > 0) throw atRestClearData();
    const model = await box.seal(contextOf('key check'), CHECK_TEXT);
    await driver.store.transaction((tx) =>
      tx.put(CHECK, { id: CHECK, tenant: CHECK, model, version: 0, position: 0, updatedAt: 0 }),
    );
    return;
  }
  let text: unknown;
  try {
    text = await box.open(contextOf('key check'), check.model, () => 'key check');
  } catch (error) {
    // a check of the right shape that does not open: another key (or changed bytes, which no key can tell apart)
    if (isWhizbangError(error, 'AT_REST_TAMPERED') && error.cause !== undefined) {
      throw atRestKeyMismatch(error);
    }
    throw error;
  }
  if (text !== CHECK_TEXT) throw atRestTampered('key check');
}

/**
 * Opens `driver` encrypted at rest under `options.key`: the first open of an empty database
 * writes its key check; later opens refuse another key (AT_REST_KEY_MISMATCH), no key
 * (AT_REST_KEY_REQUIRED) and a database already holding events in clear (AT_REST_CLEAR_DATA).
 * Open the database only through it: the driver under it reads ciphertext.
 */
export async function encryptAtRest(driver: Driver, options: AtRestOptions): Promise<Driver> {
  const key = options?.key;
  if (key === undefined || key === null) throw atRestKeyRequired(await isEncryptedAtRest(driver));
  checkKey(key);
  const box = new Box(key, options.cipher ?? webCipher);
  await open(driver, box);
  const out: Driver = {
    name: driver.name,
    ledger: atRestLedger(driver.ledger, box),
    store: atRestStore(driver.store, box),
  };
  const extra: { snapshots?: Driver['snapshots']; leases?: Driver['leases'] } = {};
  if (driver.snapshots !== undefined) extra.snapshots = atRestSnapshots(driver.snapshots, box);
  if (driver.leases !== undefined) extra.leases = driver.leases;
  Object.assign(out, extra);
  if (driver.close !== undefined) out.close = () => driver.close!();
  return out;
}
