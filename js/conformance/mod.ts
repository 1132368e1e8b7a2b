/**
 * The conformance suites that prove a driver or a transport: the ones every adapter of Whizbang
 * runs, for yours to run from its own tests. Each function registers a `describe` block of vitest
 * tests (`vitest`, `@faker-js/faker` and `fast-check` are optional peer dependencies: install them
 * as dev dependencies of the package that runs the suites). Under Deno, Bun or a browser, map
 * `vitest` to anything that offers `describe`, `it`, `expect`, `beforeEach` and `afterEach`.
 *
 * - {@link ledgerConformance}: appends, expected versions, reads, transactions, subscriptions.
 * - {@link storeConformance}: perspective rows, transactions, lens queries.
 * - {@link leaseConformance}: leases shared by several instances (one live owner, takeover).
 * - {@link outboxConformance}: the outbox and inbox a store may keep.
 * - {@link transportConformance}: delivery, wildcards, queue groups, redelivery, request/reply.
 * - {@link syncConformance}: a local driver under offline sync, with a bank on two replicas.
 * - {@link hostileConformance}: hostile input (ids, payloads, queries, calls after close): the
 *   memory driver's answer or a coded refusal with nothing written, never a raw error or a hang.
 * - {@link hostileTransportConformance}: hostile topics and envelope data on a transport.
 *
 * @example
 * ```ts
 * // test/my-driver.unit.test.ts
 * import { ledgerConformance, outboxConformance, storeConformance } from 'whizbang/conformance';
 * import { myDriver } from '../src/mod.ts';
 *
 * ledgerConformance('my driver', () => myDriver());
 * storeConformance('my driver', () => myDriver());
 * outboxConformance('my driver', () => myDriver());
 * ```
 * @module
 */

export type { DriverFactory } from './helpers.ts';
export type { HostileTransportFactory, HostileTransportOptions } from './hostile/transport.ts';
export { hostileTransportConformance } from './hostile/transport.ts';
export type { HostileConformanceOptions } from './hostile.ts';
export { hostileConformance } from './hostile.ts';
export type { LeaseConformanceOptions, LeaseHarness } from './lease.ts';
export { leaseConformance } from './lease.ts';
export type { LedgerConformanceOptions } from './ledger.ts';
export { ledgerConformance } from './ledger.ts';
export { outboxConformance } from './outbox.ts';
export { storeConformance } from './store.ts';
export type { SyncHarness } from './sync.ts';
export { syncConformance } from './sync.ts';
export type {
  TransportConformanceOptions,
  TransportFactory,
  TransportSettings,
} from './transport.ts';
export { transportConformance } from './transport.ts';
