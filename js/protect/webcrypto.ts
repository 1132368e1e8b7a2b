/**
 * The WebCrypto the protection uses (`crypto.subtle` is in Node, Deno, Bun and browsers), typed
 * here as the core types its other globals (see `util/platform.ts`): a `CryptoKey` in the public
 * API is the program's own where it declares one (DOM, Node, Deno or Bun types).
 */
import type { Declared } from '../util/platform.ts';

/** What the protection needs of a `CryptoKey`, where the program declares none. */
export interface OwnCryptoKey {
  /** The key's algorithm (`AES-KW`, `AES-GCM`, …). */
  readonly algorithm: { readonly name: string };
  /** What the key may be used for (`wrapKey`, `unwrapKey`, …). */
  readonly usages: readonly string[];
  /** Whether its bytes can be exported. */
  readonly extractable: boolean;
}

/** A WebCrypto key: the host's `CryptoKey`. */
export type CryptoKey = Declared<'CryptoKey', OwnCryptoKey>;

type Bytes = Uint8Array<ArrayBuffer>;

/** The part of `crypto.subtle` used. */
interface Subtle {
  encrypt(algorithm: object, key: CryptoKey, data: Bytes): Promise<ArrayBuffer>;
  decrypt(algorithm: object, key: CryptoKey, data: Bytes): Promise<ArrayBuffer>;
  generateKey(algorithm: object, extractable: boolean, usages: string[]): Promise<unknown>;
  wrapKey(
    format: 'raw',
    key: CryptoKey,
    wrappingKey: CryptoKey,
    algorithm: string | object,
  ): Promise<ArrayBuffer>;
  unwrapKey(
    format: 'raw',
    wrapped: Bytes,
    unwrappingKey: CryptoKey,
    unwrapAlgorithm: string | object,
    keyAlgorithm: object,
    extractable: boolean,
    usages: string[],
  ): Promise<CryptoKey>;
}

/** The globals used: WebCrypto and base64. */
interface Globals {
  readonly crypto: { readonly subtle: Subtle; getRandomValues<T extends Uint8Array>(a: T): T };
  btoa(text: string): string;
  atob(text: string): string;
}

/** The host's WebCrypto and base64 functions. */
export const host: Globals = globalThis as unknown as Globals;
