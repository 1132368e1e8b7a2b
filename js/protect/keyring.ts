/**
 * The key ring: a subject's data key from the key store, unwrapped once and kept (up to a bound)
 * so that appends and reads do not unwrap per value. Keys are created on a subject's first
 * protected event; `forget` deletes the key and drops it here.
 */
import type { KeyStore, StoredKey } from '../contracts/keystore.ts';
import { newDataKey, unwrapDataKey } from './crypto.ts';
import type { CryptoKey } from './webcrypto.ts';

/** A subject's current data key. */
export interface DataKey {
  /** Its id. */
  readonly id: string;
  /** The key (non-extractable). */
  readonly key: CryptoKey;
}

/** Keys by subject over a key store and a master key. */
export class KeyRing {
  readonly #store: KeyStore;
  readonly #master: CryptoKey;
  readonly #max: number;
  readonly #ttl: number;
  // when each held key was loaded, for the time to live
  readonly #since = new Map<string, number>();
  readonly #keys = new Map<string, Promise<DataKey | undefined>>();
  // the keys of #keys once unwrapped, for the synchronous path
  readonly #ready = new Map<string, DataKey>();
  // `${subject}\n${keyId}` of keys known gone: a key id is never given out twice
  readonly #gone = new Set<string>();

  constructor(store: KeyStore, master: CryptoKey, max: number, ttlMs: number) {
    this.#ttl = ttlMs;
    this.#store = store;
    this.#master = master;
    this.#max = max;
  }

  /** The subject's key if this process holds it unwrapped already. */
  ready(subject: string): DataKey | undefined {
    return this.#fresh(subject) ? this.#ready.get(subject) : undefined;
  }

  /**
   * The subject's key of id `keyId` if known without waiting: the key, `null` when it is known
   * gone, undefined when the store must be asked ({@link find}).
   */
  known(subject: string, keyId: string): CryptoKey | null | undefined {
    const key = this.#fresh(subject) ? this.#ready.get(subject) : undefined;
    if (key !== undefined && key.id === keyId) return key.key;
    return this.#gone.has(`${subject}\n${keyId}`) ? null : undefined;
  }

  /** The subject's key, created (and stored) when it has none. */
  async current(subject: string): Promise<DataKey> {
    const known = await this.#load(subject);
    if (known !== undefined) return known;
    const made = newDataKey(this.#master, subject).then(async ({ key, stored }) => {
      const kept = await this.#store.create(subject, stored);
      return kept.id === stored.id ? { id: kept.id, key } : this.#unwrap(subject, kept);
    });
    this.#remember(subject, made);
    try {
      return (await made)!;
    } catch (error) {
      this.#keys.delete(subject);
      throw error;
    }
  }

  /** The subject's key of id `keyId`, or undefined when it was deleted (the subject forgotten). */
  async find(subject: string, keyId: string): Promise<CryptoKey | undefined> {
    if (this.#gone.has(`${subject}\n${keyId}`)) return undefined;
    const key = await this.#load(subject);
    if (key !== undefined && key.id === keyId) return key.key;
    this.#gone.add(`${subject}\n${keyId}`);
    return undefined;
  }

  /** Deletes the subject's key from the store and from here. */
  async forget(subject: string): Promise<boolean> {
    await this.drop(subject);
    return this.#store.delete(subject);
  }

  /** Lets go of the subject's key here (its key was deleted elsewhere), the store untouched. */
  async drop(subject: string): Promise<void> {
    const held = this.#keys.get(subject);
    this.#keys.delete(subject);
    this.#ready.delete(subject);
    this.#since.delete(subject);
    const known = held === undefined ? undefined : await held.catch(() => undefined);
    if (known !== undefined) this.#gone.add(`${subject}\n${known.id}`);
  }

  // false (and the key let go) once a held key has lived its time: the store is asked again, so
  // a subject forgotten by another process is seen here within the time to live
  #fresh(subject: string): boolean {
    const since = this.#since.get(subject);
    if (since === undefined || Date.now() - since < this.#ttl) return true;
    this.#keys.delete(subject);
    this.#ready.delete(subject);
    this.#since.delete(subject);
    return false;
  }

  #load(subject: string): Promise<DataKey | undefined> {
    if (!this.#fresh(subject)) return this.#load(subject);
    const held = this.#keys.get(subject);
    if (held !== undefined) return held;
    const loading = Promise.resolve(this.#store.get(subject)).then((stored) =>
      stored === undefined ? undefined : this.#unwrap(subject, stored),
    );
    // an absent key is not kept: another process may create it
    const kept = loading.then((k) => {
      if (k === undefined && this.#keys.get(subject) === kept) this.#keys.delete(subject);
      return k;
    });
    this.#remember(subject, kept);
    kept.catch(() => {
      if (this.#keys.get(subject) === kept) this.#keys.delete(subject);
    });
    return kept;
  }

  async #unwrap(subject: string, stored: StoredKey): Promise<DataKey> {
    return { id: stored.id, key: await unwrapDataKey(this.#master, subject, stored) };
  }

  #hold(subject: string, kept: Promise<DataKey | undefined>): void {
    kept.then(
      (key) => {
        if (key !== undefined && this.#keys.get(subject) === kept) this.#ready.set(subject, key);
      },
      () => {},
    );
  }

  #remember(subject: string, key: Promise<DataKey | undefined>): void {
    if (this.#keys.size >= this.#max) {
      const oldest = this.#keys.keys().next().value;
      if (oldest !== undefined) {
        this.#keys.delete(oldest);
        this.#ready.delete(oldest);
        this.#since.delete(oldest);
      }
    }
    this.#keys.set(subject, key);
    this.#since.set(subject, Date.now());
    this.#hold(subject, key);
  }
}
