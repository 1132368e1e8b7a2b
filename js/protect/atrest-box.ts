/**
 * The sealing of encryption at rest: one JSON value in, one stored string out. AES-256-GCM (the
 * `Cipher` of `whizbang/protect`: WebCrypto by default, `node:crypto` when given) with a random
 * 96-bit IV per record; the associated data names the record's place (kind, tenant, stream or
 * perspective, id), so a ciphertext moved to another record does not open.
 */
import { payloadJson } from '../kit/payload.ts';
import { chain, type MaybePromise } from '../util/maybe.ts';
import { atRestTampered } from './atrest-errors.ts';
import type { Cipher } from './crypto.ts';
import type { CryptoKey } from './webcrypto.ts';

/** What every stored ciphertext starts with: the format and its version. */
export const AT_REST_PREFIX = 'at-rest.1:';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// IV (12) + tag (16) bytes at least: 28 bytes are 40 base64 characters
const MIN_PIECE = 40;

/** The associated data of a record: its kind and the names of its place, unambiguous. */
export function contextOf(kind: string, ...place: readonly unknown[]): string {
  return JSON.stringify(['whizbang/at-rest 1', kind, ...place]);
}

/**
 * The base64 ciphertext inside a stored value, or undefined when `stored` is not one (clear data,
 * another format, a cut or bad string).
 */
export function sealedPiece(stored: unknown): string | undefined {
  if (typeof stored !== 'string' || !stored.startsWith(AT_REST_PREFIX)) return undefined;
  const piece = stored.slice(AT_REST_PREFIX.length);
  if (piece.length < MIN_PIECE || piece.length % 4 !== 0 || !BASE64.test(piece)) return undefined;
  // canonical only: the bits a padded last character leaves over are zero (else two texts are one value)
  const pad = piece.endsWith('==') ? 2 : piece.endsWith('=') ? 1 : 0;
  if (
    pad > 0 &&
    !(pad === 2 ? 'AQgw' : 'AEIMQUYcgkosw048').includes(piece[piece.length - pad - 1]!)
  ) {
    return undefined;
  }
  return piece;
}

/** Whether `stored` has the shape of a sealed value (it may still not authenticate). */
export const isSealedAtRest = (stored: unknown): boolean => sealedPiece(stored) !== undefined;

/** How much opened text a box keeps (characters of keys and texts), and the largest record kept. */
const CACHE_CHARS = 8_000_000;
const CACHE_RECORD = 64_000;

/**
 * Seals and opens values with one key. It keeps the JSON text of records it recently sealed or
 * opened, by place and ciphertext (the same stored string at the same place is the same text:
 * each sealing draws a new IV), so a query that scans a perspective again, or a model read back
 * after its write, does not decrypt it again; every read still parses its own copy.
 */
export class Box {
  readonly #key: CryptoKey;
  readonly #cipher: Cipher;
  readonly #texts = new Map<string, string>();
  #chars = 0;

  /** A box of `key` (AES-GCM) through `cipher`. */
  constructor(key: CryptoKey, cipher: Cipher) {
    this.#key = key;
    this.#cipher = cipher;
  }

  #keep(context: string, stored: string, json: string): void {
    const size = context.length + stored.length + json.length;
    if (size > CACHE_RECORD) return;
    const k = `${context}\u0000${stored}`;
    if (this.#texts.has(k)) return;
    this.#texts.set(k, json);
    this.#chars += size;
    for (const [old, text] of this.#texts) {
      if (this.#chars <= CACHE_CHARS) break;
      this.#texts.delete(old);
      this.#chars -= old.length - 1 + text.length;
    }
  }

  /**
   * `value` (JSON-compatible; INVALID_ARGUMENT otherwise, naming `type` and `what`) sealed for the
   * place `context`.
   */
  seal(context: string, value: unknown, type = 'record', what = 'value'): MaybePromise<string> {
    const json = payloadJson(type, what, value) ?? 'null';
    return chain(this.#cipher.seal(this.#key, context, [json]), (pieces) => {
      const stored = `${AT_REST_PREFIX}${pieces[0]}`;
      this.#keep(context, stored, json);
      return stored;
    });
  }

  /** The value sealed in `stored` for `context`, or AT_REST_TAMPERED naming `what`. */
  open(context: string, stored: unknown, what: () => string): MaybePromise<unknown> {
    const piece = sealedPiece(stored);
    if (piece === undefined) throw atRestTampered(what());
    const kept = this.#texts.get(`${context}\u0000${stored as string}`);
    if (kept !== undefined) return JSON.parse(kept);
    let texts: MaybePromise<string[]>;
    try {
      texts = this.#cipher.open(this.#key, context, [piece]);
    } catch (cause) {
      throw atRestTampered(what(), cause);
    }
    const parse = (t: string[]): unknown => {
      let value: unknown;
      try {
        value = JSON.parse(t[0]!);
      } catch (cause) {
        throw atRestTampered(what(), cause);
      }
      this.#keep(context, stored as string, t[0]!);
      return value;
    };
    if (texts instanceof Promise) {
      return texts.then(parse, (cause: unknown) => {
        throw atRestTampered(what(), cause);
      });
    }
    return parse(texts);
  }
}
