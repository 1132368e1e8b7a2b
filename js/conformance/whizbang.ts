/**
 * The names of `whizbang` the suites use, and nothing else of the core's insides: `js/mod.ts` sits
 * above every layer, so they come from the modules it re-exports them from, under the same names
 * (`test/kit/conformance.unit.test.ts` holds this file to that). The kit and sync come
 * through their own entries.
 */

export type { Driver } from '../contracts/driver.ts';
export type { Lease, LeaseStore } from '../contracts/lease.ts';
export type {
  AppendOptions,
  AppendResult,
  ExpectedVersion,
  Ledger,
  NewEvent,
  RecordedEvent,
} from '../contracts/ledger.ts';
export type { OutboxRecord, OutboxStore, OutboxWriter } from '../contracts/outbox.ts';
export { outboxStream } from '../contracts/outbox.ts';
export type { Query } from '../contracts/query.ts';
export { isRemoteError } from '../contracts/remote.ts';
export type { PerspectiveStore, StoredModel, StoreWriter } from '../contracts/store.ts';
export type {
  Transport,
  TransportHandler,
  TransportResponder,
  TransportSubscribeOptions,
  TransportSubscription,
  WireEnvelope,
  WireHop,
} from '../contracts/transport.ts';
export type { Perspective } from '../definitions/perspective.ts';
export { definePerspective } from '../definitions/perspective.ts';
export { defineReceptor, defineState } from '../definitions/receptor.ts';
export { memoryDriver } from '../memory/driver.ts';
export { memoryTransport } from '../memory/transport.ts';
export type { CommandDefinition, Event, MessageOf } from '../messages/message.ts';
export { defineCommand, defineEvent, payload } from '../messages/message.ts';
export type { BuildOptions } from '../runtime/builder.ts';
export { whizbang } from '../runtime/builder.ts';
export type { Subscription } from '../runtime/subscription.ts';
export { subscribe, subscribeBatches } from '../runtime/subscription.ts';
export type { Whizbang } from '../runtime/types.ts';
export {
  ConcurrencyError,
  isConcurrencyError,
  isWhizbangError,
  WhizbangError,
} from '../util/errors.ts';
export { uuidv7 } from '../util/ids.ts';
export type { MaybePromise } from '../util/maybe.ts';
