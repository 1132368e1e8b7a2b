/**
 * A synchronous AES-256-GCM for `whizbang/protect` on `node:crypto` (Node, Bun, Deno): the same
 * bytes as the WebCrypto one, without a trip to a worker thread per event, so sealing and opening
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

/** The associated data: the context, then each value's ciphertext length (as `aadOf`). */
function aad(context: string, lengths: readonly number[]): Buffer {
  return Buffer.from(`${context}${lengths.join(',')}`, 'utf8');
}

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
    seal(key, context, texts) {
      if (at === pool.length) {
        randomFillSync(pool);
        at = 0;
      }
      const iv = Buffer.from(pool.subarray(at, at + IV));
      at += IV;
      const parts = texts.map((t) => Buffer.from(t, 'utf8'));
      const lengths = parts.map((p) => p.length);
      const cipher = createCipheriv('aes-256-gcm', objectOf(key), iv);
      cipher.setAAD(aad(context, lengths));
      const all = Buffer.concat([
        iv,
        cipher.update(parts.length === 1 ? parts[0]! : Buffer.concat(parts)),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      const out: string[] = [];
      let from = 0;
      for (let i = 0; i < lengths.length; i++) {
        const end = from + lengths[i]! + (i === 0 ? IV : 0) + (i === lengths.length - 1 ? TAG : 0);
        out.push(all.toString('base64', from, end));
        from = end;
      }
      return out;
    },
    open(key, context, pieces) {
      if (pieces.length === 0 || pieces.some((p) => typeof p !== 'string')) {
        throw new Error('not a sealed value');
      }
      const parts = (pieces as string[]).map((p) => Buffer.from(p, 'base64'));
      const lengths = parts.map((p) => p.length);
      lengths[0]! -= IV;
      lengths[lengths.length - 1]! -= TAG;
      if (lengths.some((l) => l < 0)) throw new Error('not a sealed value');
      const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      const decipher = createDecipheriv('aes-256-gcm', objectOf(key), all.subarray(0, IV));
      decipher.setAAD(aad(context, lengths));
      decipher.setAuthTag(all.subarray(all.length - TAG));
      const plain = Buffer.concat([
        decipher.update(all.subarray(IV, all.length - TAG)),
        decipher.final(),
      ]);
      const out: string[] = [];
      let from = 0;
      for (const l of lengths) {
        out.push(plain.toString('utf8', from, from + l));
        from += l;
      }
      return out;
    },
  };
}
