/**
 * A synchronous AES-256-GCM for `whizbang/protect` on `node:crypto` (Node, Bun, Deno): the same
 * bytes as the WebCrypto one, without a trip to a worker thread per value, so sealing and opening
 * take no promise once a subject's key is held.
 *
 * @example
 * ```ts
 * import { memoryDriver } from 'whizbang';
 * import { memoryKeyStore, protect } from 'whizbang/protect';
 * import { nodeCipher } from 'whizbang/protect/node';
 *
 * const master = await crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey']);
 * const driver = protect(memoryDriver(), { master, keys: memoryKeyStore(), events: [], cipher: nodeCipher() });
 * ```
 * @module
 */
import { Buffer } from 'node:buffer';
import {
  createCipheriv,
  createDecipheriv,
  KeyObject,
  randomFillSync,
  type webcrypto,
} from 'node:crypto';
import type { Cipher } from './crypto.ts';

const IV = 12;
const TAG = 16;

/** AES-256-GCM on `node:crypto`, synchronous; reads and writes what the WebCrypto cipher does. */
export function nodeCipher(): Cipher {
  const objects = new WeakMap<object, KeyObject>();
  const objectOf = (key: object): KeyObject => {
    let o = objects.get(key);
    if (o === undefined) {
      o = KeyObject.from(key as webcrypto.CryptoKey);
      objects.set(key, o);
    }
    return o;
  };
  // IVs come from a pool of random bytes, refilled when used up: one system call per 1 024 IVs
  const pool = Buffer.alloc(IV * 1024);
  let at = pool.length;
  return {
    seal(key, aad, value) {
      if (at === pool.length) {
        randomFillSync(pool);
        at = 0;
      }
      const iv = Buffer.from(pool.subarray(at, at + IV));
      at += IV;
      const cipher = createCipheriv('aes-256-gcm', objectOf(key), iv);
      cipher.setAAD(aad);
      const head = cipher.update(JSON.stringify(value), 'utf8');
      const tail = cipher.final();
      return Buffer.concat([iv, head, tail, cipher.getAuthTag()]).toString('base64');
    },
    open(key, aad, sealed) {
      const bytes = typeof sealed === 'string' ? Buffer.from(sealed, 'base64') : undefined;
      if (bytes === undefined || bytes.length < IV + TAG) throw new Error('not a sealed value');
      const decipher = createDecipheriv('aes-256-gcm', objectOf(key), bytes.subarray(0, IV));
      decipher.setAAD(aad);
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG));
      const text =
        decipher.update(bytes.subarray(IV, bytes.length - TAG), undefined, 'utf8') +
        decipher.final('utf8');
      return JSON.parse(text);
    },
  };
}
