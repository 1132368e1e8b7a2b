/**
 * The cryptography of `whizbang/protect`, all WebCrypto (`host.crypto.subtle`): AES-GCM 256 data keys
 * with one random 96-bit IV per event, bound by associated data to subject, key, event and fields;
 * data keys wrapped by the master key (AES-KW, or AES-GCM bound to the subject and key id).
 */
import type { StoredKey } from '../contracts/keystore.ts';
import { invalidArgument } from '../util/errors.ts';
import type { MaybePromise } from '../util/maybe.ts';
import { platform } from '../util/platform.ts';
import { masterKeyMismatch } from './errors.ts';
import { type CryptoKey, host } from './webcrypto.ts';

const encoder = new platform.TextEncoder();
const decoder = new platform.TextDecoder();
const IV = 12;
const TAG = 16;
const GCM_KEY = { name: 'AES-GCM', length: 256 } as const;

/** Bytes as base64 text. */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return host.btoa(s);
}

/** Base64 text as bytes; undefined when it is not base64. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  let s: string;
  try {
    s = host.atob(text);
  } catch {
    return undefined;
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * What binds an event's sealed values to their place: subject, key id, event id and the event's
 * list of sealed fields (the cipher adds the length of each value's ciphertext).
 */
export function sealContext(
  subject: string,
  keyId: string,
  messageId: string,
  fields: readonly string[],
): string {
  return `whizbang/protect 2\n${subject}\n${keyId}\n${messageId}\n${fields.join('\n')}\n\n`;
}

/**
 * AES-256-GCM over the JSON texts of an event's protected values, one operation per event: the
 * texts are encrypted together under one random IV, and the ciphertext is cut back into one piece
 * per value, stored as base64 in the value's place (the first piece led by the IV, the last one
 * followed by the tag). The associated data is the context and the length of each piece, so no
 * byte can move between values. The WebCrypto cipher (asynchronous) is the default;
 * `whizbang/protect/node` gives a synchronous one on `node:crypto` (Node, Bun, Deno) that writes
 * and reads the same bytes.
 */
export interface Cipher {
  /** Encrypts `texts` (JSON) with `key`, bound to `context`: one base64 piece per text. */
  seal(key: CryptoKey, context: string, texts: readonly string[]): MaybePromise<string[]>;
  /** Decrypts what `seal` made, as the JSON texts; throws (any error) when it does not authenticate. */
  open(key: CryptoKey, context: string, pieces: readonly unknown[]): MaybePromise<string[]>;
}

/** The associated data of one sealing: the context, then the ciphertext length of each value. */
export function aadOf(context: string, lengths: readonly number[]): Uint8Array<ArrayBuffer> {
  return encoder.encode(`${context}${lengths.join(',')}`);
}

/** The ciphertext lengths of stored pieces (IV and tag excluded); throws when they cannot be. */
export function pieceLengths(sizes: readonly number[]): number[] {
  const n = sizes.length;
  if (n === 0) throw new Error('no sealed value');
  const lengths = sizes.slice();
  lengths[0]! -= IV;
  lengths[n - 1]! -= TAG;
  if (lengths.some((l) => l < 0)) throw new Error('not a sealed value');
  return lengths;
}

/** The WebCrypto cipher. */
export const webCipher: Cipher = {
  async seal(key, context, texts) {
    const parts = texts.map((t) => encoder.encode(t));
    const lengths = parts.map((p) => p.length);
    const plain = new Uint8Array(lengths.reduce((a, b) => a + b, 0));
    let at = 0;
    for (const p of parts) {
      plain.set(p, at);
      at += p.length;
    }
    const iv = host.crypto.getRandomValues(new Uint8Array(IV));
    const ct = new Uint8Array(
      await host.crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: aadOf(context, lengths) },
        key,
        plain,
      ),
    );
    const all = concat(iv, ct); // IV ‖ ciphertext ‖ tag
    const out: string[] = [];
    at = 0;
    for (let i = 0; i < lengths.length; i++) {
      const end = at + lengths[i]! + (i === 0 ? IV : 0) + (i === lengths.length - 1 ? TAG : 0);
      out.push(toBase64(all.subarray(at, end)));
      at = end;
    }
    return out;
  },
  async open(key, context, pieces) {
    const bytes = pieces.map((p) => (typeof p === 'string' ? fromBase64(p) : undefined));
    if (bytes.some((b) => b === undefined)) throw new Error('not a sealed value');
    const parts = bytes as Uint8Array[];
    const lengths = pieceLengths(parts.map((b) => b.length));
    const all = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    const plain = new Uint8Array(
      await host.crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: all.subarray(0, IV), additionalData: aadOf(context, lengths) },
        key,
        all.subarray(IV),
      ),
    );
    const out: string[] = [];
    at = 0;
    for (const l of lengths) {
      out.push(decoder.decode(plain.subarray(at, at + l)));
      at += l;
    }
    return out;
  },
};

function wrapping(
  master: CryptoKey,
  subject: string,
  id: string,
  iv: Uint8Array<ArrayBuffer>,
): string | object {
  return master.algorithm.name === 'AES-KW'
    ? 'AES-KW'
    : { name: 'AES-GCM', iv, additionalData: encoder.encode(`whizbang/key 1\n${subject}\n${id}`) };
}

/** Checks that `master` can wrap keys: an AES-KW or AES-GCM key with `wrapKey` and `unwrapKey`. */
export function checkMaster(master: unknown): void {
  const k = master as CryptoKey | undefined;
  const name = k?.algorithm?.name;
  if (
    (name !== 'AES-KW' && name !== 'AES-GCM') ||
    !k!.usages.includes('wrapKey') ||
    !k!.usages.includes('unwrapKey')
  ) {
    throw invalidArgument(
      'The master key must be a CryptoKey for AES-KW or AES-GCM with the usages ["wrapKey", "unwrapKey"], ' +
        "for example host.crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey']).",
    );
  }
}

/** A new data key for `subject`: the key (non-extractable) and its stored form. */
export async function newDataKey(
  master: CryptoKey,
  subject: string,
): Promise<{ key: CryptoKey; stored: StoredKey }> {
  const id = toBase64(host.crypto.getRandomValues(new Uint8Array(12)));
  const raw = (await host.crypto.subtle.generateKey(GCM_KEY, true, [
    'encrypt',
    'decrypt',
  ])) as CryptoKey;
  const iv = host.crypto.getRandomValues(new Uint8Array(IV));
  const wrapped = new Uint8Array(
    await host.crypto.subtle.wrapKey('raw', raw, master, wrapping(master, subject, id, iv)),
  );
  const stored = master.algorithm.name === 'AES-KW' ? wrapped : concat(iv, wrapped);
  const key = await unwrapDataKey(master, subject, { id, wrapped: stored });
  return { key, stored: { id, wrapped: stored } };
}

/** Unwraps a stored data key (non-extractable); MASTER_KEY_MISMATCH when it does not unwrap. */
export async function unwrapDataKey(
  master: CryptoKey,
  subject: string,
  stored: StoredKey,
): Promise<CryptoKey> {
  const kw = master.algorithm.name === 'AES-KW';
  const all = new Uint8Array(stored.wrapped);
  const iv = kw ? new Uint8Array(0) : all.subarray(0, IV);
  const bytes = kw ? all : all.subarray(IV);
  try {
    return await host.crypto.subtle.unwrapKey(
      'raw',
      bytes,
      master,
      wrapping(master, subject, stored.id, iv),
      GCM_KEY,
      false,
      ['encrypt', 'decrypt'],
    );
  } catch (cause) {
    throw masterKeyMismatch(subject, cause);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
