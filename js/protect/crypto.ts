/**
 * The cryptography of `whizbang/protect`, all WebCrypto (`host.crypto.subtle`): AES-GCM 256 data keys
 * with a random 96-bit IV per value, bound by associated data to subject, key, event and field;
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
 * What binds a value's ciphertext to its place: subject, key id, event id, the event's list of
 * sealed fields and the field's path.
 */
export function associatedData(
  subject: string,
  keyId: string,
  messageId: string,
  fields: readonly string[],
  path: string,
): Uint8Array<ArrayBuffer> {
  return encoder.encode(
    `whizbang/protect 1\n${subject}\n${keyId}\n${messageId}\n${fields.join('\n')}\n\n${path}`,
  );
}

/**
 * AES-256-GCM over JSON values, as base64 of IV (12 bytes) ‖ ciphertext ‖ tag (16 bytes): the
 * WebCrypto one (asynchronous) by default; `whizbang/protect/node` gives a synchronous one on
 * `node:crypto` (Node, Bun, Deno) that writes and reads the same bytes.
 */
export interface Cipher {
  /** Encrypts `value` (JSON) with `key`, bound to `aad`. */
  seal(key: CryptoKey, aad: Uint8Array<ArrayBuffer>, value: unknown): MaybePromise<string>;
  /** Decrypts what `seal` made; throws (any error) when it does not authenticate. */
  open(key: CryptoKey, aad: Uint8Array<ArrayBuffer>, sealed: unknown): MaybePromise<unknown>;
}

/** The WebCrypto cipher. */
export const webCipher: Cipher = {
  seal: (k, a, v) => seal(k, a, v),
  open: (k, a, v) => open(k, a, v),
};

/** Encrypts a JSON value: base64 of IV ‖ ciphertext ‖ tag. */
export async function seal(
  key: CryptoKey,
  aad: Uint8Array<ArrayBuffer>,
  value: unknown,
): Promise<string> {
  const iv = host.crypto.getRandomValues(new Uint8Array(IV));
  const plain = encoder.encode(JSON.stringify(value));
  const ct = await host.crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: aad },
    key,
    plain,
  );
  const out = new Uint8Array(IV + ct.byteLength);
  out.set(iv);
  out.set(new Uint8Array(ct), IV);
  return toBase64(out);
}

/** Decrypts what {@link seal} made; throws (any error) when it does not authenticate. */
export async function open(
  key: CryptoKey,
  aad: Uint8Array<ArrayBuffer>,
  sealed: unknown,
): Promise<unknown> {
  const bytes = typeof sealed === 'string' ? fromBase64(sealed) : undefined;
  if (bytes === undefined || bytes.length < IV + TAG) throw new Error('not a sealed value');
  const plain = await host.crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: bytes.subarray(0, IV), additionalData: aad },
    key,
    bytes.subarray(IV),
  );
  return JSON.parse(decoder.decode(new Uint8Array(plain)));
}

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

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
