/**
 * Personal data: protected fields encrypted per subject (the person they are about) with keys the
 * app can delete, so that an append-only log can forget someone (crypto-shredding). Opt in by
 * wrapping a driver:
 *
 * @example
 * ```ts
 * import { defineEvent, memoryDriver, payload, whizbang } from 'whizbang';
 * import { memoryKeyStore, protect } from 'whizbang/protect';
 *
 * const Registered = defineEvent('Registered', payload<{ customerId: string; email: string }>(), {
 *   protect: { subject: (e) => e.data.customerId, fields: ['email'] },
 * });
 * const master = await crypto.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey']);
 * const driver = protect(memoryDriver(), { master, keys: memoryKeyStore(), events: [Registered] });
 * const app = whizbang('shop').driver(driver).build();
 * // …
 * await driver.forget('c-1'); // c-1's email now reads as '[redacted]' everywhere
 * ```
 *
 * A replica's whole database can also be kept encrypted under a key the app provides:
 * `encryptAtRest` of `whizbang/protect/at-rest`.
 * @module
 */
import type { Driver } from '../contracts/driver.ts';
import type { KeyStore } from '../contracts/keystore.ts';
import type { RecordedEvent } from '../contracts/ledger.ts';
import type { EventDefinition, ProtectSpec } from '../messages/message.ts';
import { invalidArgument, wholeOption } from '../util/errors.ts';
import type { MaybePromise } from '../util/maybe.ts';
import { type Cipher, checkMaster, webCipher } from './crypto.ts';
import { KeyRing } from './keyring.ts';
import { protectLayer } from './layer.ts';
import { openEvents, protectedLedger } from './ledger.ts';
import { openingStore } from './outbox.ts';
import { forgettingSnapshots } from './snapshots.ts';
import type { CryptoKey } from './webcrypto.ts';

export type { KeyStore, StoredKey } from '../contracts/keystore.ts';
export type { ProtectSpec } from '../messages/message.ts';
export type { Cipher } from './crypto.ts';
export type { TamperedAt } from './errors.ts';
export { TamperedDataError } from './errors.ts';
export { isRedacted, PROTECTED, REDACTED } from './marker.ts';
export { memoryKeyStore } from './memory.ts';
export { redact } from './redact.ts';
export type { ReplicaKeyStore, ReplicaKeyStoreOptions } from './replica-keys.ts';
export { replicaKeyStore } from './replica-keys.ts';
export type { CryptoKey, OwnCryptoKey } from './webcrypto.ts';

/** Options of {@link protect}. */
export interface ProtectOptions {
  /**
   * The master key that wraps every data key: a `CryptoKey` for AES-KW or AES-GCM with usages
   * `wrapKey` and `unwrapKey`, non-extractable where the platform allows. Keep it out of the
   * database (a secret manager, a KMS, an environment secret).
   */
  readonly master: CryptoKey;
  /** Where the wrapped data keys are kept (one per subject). */
  readonly keys: KeyStore;
  /** The event types whose `protect` fields are sealed; types without `protect` are ignored. */
  readonly events: readonly EventDefinition[];
  /** How many subjects' unwrapped keys this process keeps (default 10 000). */
  readonly cacheKeys?: number;
  /**
   * How long a held key is used before the key store is asked again, ms (default 60 000): a
   * subject forgotten by another process reads as redacted here within this time.
   */
  readonly cacheTtlMs?: number;
  /**
   * The AES-GCM implementation: WebCrypto by default (asynchronous: every sealed append and read
   * waits for it); `nodeCipher()` from `whizbang/protect/node` is synchronous on `node:crypto`
   * (Node, Bun, Deno) and keeps the memory and SQLite paths synchronous. Same bytes either way.
   */
  readonly cipher?: Cipher | undefined;
}

/** A driver whose ledger seals protected fields, with the means to forget a subject. */
export interface ProtectedDriver extends Driver {
  /**
   * Forgets `subject`: deletes its data key, so every stored copy of its protected fields reads as
   * {@link REDACTED} from now on, and drops the snapshots of the streams holding its events (one
   * pass over the ledger) so receptor state is folded again. Rebuild the perspectives that kept
   * them (`app.rebuild(p)`) to rewrite their models. True when the subject had a key.
   */
  forget(subject: string): Promise<boolean>;
  /** Decrypts stored events (as read from the driver's own ledger) for tools that hold the key. */
  reveal(events: RecordedEvent[]): MaybePromise<RecordedEvent[]>;
}

/** Wraps `driver` so the protected fields of `options.events` are stored encrypted per subject. */
export function protect(driver: Driver, options: ProtectOptions): ProtectedDriver {
  checkMaster(options.master);
  if (options.keys === undefined || typeof options.keys.get !== 'function') {
    throw invalidArgument('`keys` must be a KeyStore, for example memoryKeyStore().');
  }
  const specs = new Map<string, ProtectSpec>();
  for (const def of options.events ?? []) {
    if (def.protect !== undefined) specs.set(def.type, def.protect);
  }
  const ring = new KeyRing(
    options.keys,
    options.master,
    wholeOption('cacheKeys', options.cacheKeys, 10_000),
    wholeOption('cacheTtlMs', options.cacheTtlMs, 60_000),
  );
  const cipher = options.cipher ?? webCipher;
  const ledger = protectedLedger(driver.ledger, specs, ring, cipher);
  const snapshots = driver.snapshots && forgettingSnapshots(driver.snapshots);
  const out: ProtectedDriver = {
    name: driver.name,
    ledger,
    store: openingStore(driver.store, ring, cipher),
    // the snapshots of the subject's streams are dropped: receptor state is folded again
    forget: async (subject) => {
      const had = await ring.forget(subject);
      await snapshots?.forget(driver.ledger, subject);
      return had;
    },
    reveal: (events) => openEvents(events, ring, cipher),
    layer: protectLayer(driver, specs, ring, cipher, options.keys),
  };
  const extra: { snapshots?: Driver['snapshots']; leases?: Driver['leases'] } = {};
  if (snapshots !== undefined) extra.snapshots = snapshots.store;
  if (driver.leases !== undefined) extra.leases = driver.leases;
  Object.assign(out, extra);
  if (driver.close !== undefined) out.close = () => driver.close!();
  return out;
}
