/**
 * `whizbang/cloudflare`: drivers for Cloudflare Workers, on the SQLite adapter's schema (a ledger
 * from one opens on the others).
 *
 * - {@link durableObjectDriver}: a Durable Object's SQLite storage (`ctx.storage.sql`); one append
 *   (events, inline perspectives, outbox rows) is one storage transaction, and the object's gates
 *   hold its response until the commit is durable.
 * - {@link d1Driver}: a D1 database; one append is one guarded `batch` (D1 has no interactive
 *   transaction), decided again when another writer moved what it read.
 * - {@link httpTransport} with {@link wakeRelay} / {@link relayOnAlarm}: the outbox delivered to
 *   an HTTP endpoint, woken by the object's alarm.
 *
 * No Node module is reached from here: bundle it for workerd as it is.
 *
 * @example
 * ```ts
 * import { DurableObject } from 'cloudflare:workers';
 * import { whizbang } from 'whizbang';
 * import { durableObjectDriver } from 'whizbang/cloudflare';
 *
 * export class Ledger extends DurableObject {
 *   app = whizbang('shop').receptor(placeOrder).build({ driver: durableObjectDriver(this.ctx.storage) });
 * }
 * ```
 * @module
 */

export type { SqliteDriver, SqliteDriverOptions } from '../sqlite/driver.ts';
export { SCHEMA_VERSION } from '../sqlite/schema.ts';
export { type AlarmRelayOptions, type AlarmStorage, relayOnAlarm, wakeRelay } from './alarm.ts';
export type {
  D1Database,
  D1Meta,
  D1PreparedStatement,
  D1Result,
} from './d1/binding.ts';
export { type D1Driver, type D1DriverOptions, d1Driver } from './d1/driver.ts';
export type { D1Ledger } from './d1/ledger.ts';
export type { D1Store } from './d1/store.ts';
export { type DurableObjectDriverOptions, durableObjectDriver } from './durable-object.ts';
export { type HttpTransportOptions, httpTransport } from './http.ts';
export type { DurableObjectStorage, SqlStorage, SqlStorageCursor } from './storage.ts';
