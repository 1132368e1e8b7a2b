/**
 * `whizbang/indexeddb`: the whole event store in the browser, offline, on IndexedDB. Every append
 * is one IndexedDB transaction with its inline perspectives and outbox rows; tabs of one origin
 * share the database, race fairly on expected versions, and hear each other's commits over a
 * BroadcastChannel. Works wherever IndexedDB does (pages, workers); in Node, pass
 * fake-indexeddb's `indexedDB` and `IDBKeyRange`.
 *
 * @example
 * ```ts
 * import { whizbang } from 'whizbang';
 * import { indexedDbDriver } from 'whizbang/indexeddb';
 *
 * const driver = await indexedDbDriver({ name: 'shop' });
 * const app = whizbang('shop').receptor(placeOrder).build({ driver });
 * ```
 * @module
 */
export { channelName } from './broadcast.ts';
export type { IndexedDbDriver, IndexedDbDriverOptions, SegmentStore } from './driver.ts';
export { indexedDbDriver } from './driver.ts';
export type {
  Global,
  IdbDatabase,
  IdbFactory,
  IdbKeyRangeClass,
  Opaque,
} from './host-types.ts';
export type { IndexedDbKeyStoreOptions } from './keys.ts';
export { indexedDbKeyStore } from './keys.ts';
export type { IndexedDbLedger, IndexedDbLedgerOptions } from './ledger.ts';
export { SCHEMA_VERSION } from './schema.ts';
export type { SegmentReport } from './sealed-index.ts';
export type { SegmentOptions } from './segments.ts';
export type { CompactOptions, CompactReport, StorageReport, TruncateStream } from './storage.ts';
export type { IndexedDbStore } from './store.ts';
export type { Durability } from './transaction.ts';
