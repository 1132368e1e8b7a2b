/**
 * Whizbang: a unified event-sourced data and messaging runtime. Define commands and events,
 * receptors that decide, perspectives that keep read models, and lenses that read them; the same
 * code runs in memory, on SQLite, IndexedDB or PostgreSQL.
 *
 * @example
 * ```ts
 * import { defineCommand, defineEvent, defineReceptor, definePerspective, payload, whizbang } from 'whizbang';
 *
 * const AddTodo = defineCommand('AddTodo', payload<{ id: string; title: string }>());
 * const TodoAdded = defineEvent('TodoAdded', payload<{ id: string; title: string }>());
 *
 * const addTodo = defineReceptor({
 *   command: AddTodo,
 *   stream: (c) => `todo-${c.data.id}`,
 *   handle: (c) => TodoAdded(c.data),
 * });
 * const todos = definePerspective({
 *   name: 'todos',
 *   events: [TodoAdded],
 *   initial: () => ({ title: '', done: false }),
 *   apply: (todo, e) => ({ ...todo, title: e.data.title }),
 * });
 *
 * const app = whizbang('todo').receptor(addTodo).perspective(todos).build();
 * await app.send(AddTodo({ id: '1', title: 'Write the docs' }));
 * console.log(await app.lens(todos).get('todo-1')); // { title: 'Write the docs', done: false }
 * ```
 * @module
 */

export type { Driver, DriverLayer, LayerChanges } from './contracts/driver.ts';
export type { KeyChange, KeyChanges, KeyStore, StoredKey } from './contracts/keystore.ts';
export type { Lease, LeaseStore } from './contracts/lease.ts';
export type {
  AppendOptions,
  AppendResult,
  AsyncLedger,
  ExpectedVersion,
  Ledger,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  RecordedEventBase,
} from './contracts/ledger.ts';
export type { BackgroundFailure, Dispatched, Observer } from './contracts/observer.ts';
export type {
  DeadLetterRecord,
  OutboxCounts,
  OutboxRecord,
  OutboxStore,
  OutboxWriter,
  RouteTarget,
} from './contracts/outbox.ts';
export { isTopic, outboxStream, topicFor } from './contracts/outbox.ts';
export type { FieldFilter, OrderBy, Page, Query, Where } from './contracts/query.ts';
export type { WireError, WireReply } from './contracts/remote.ts';
export { isRemoteError, RemoteError } from './contracts/remote.ts';
export type { Snapshot, SnapshotStore } from './contracts/snapshot.ts';
export type {
  AsyncPerspectiveStore,
  PerspectiveStore,
  StoreChange,
  StoredModel,
  StoreWriter,
} from './contracts/store.ts';
export type {
  Transport,
  TransportDeadLetter,
  TransportHandler,
  TransportRequestOptions,
  TransportResponder,
  TransportSubscribeOptions,
  TransportSubscription,
  WireEnvelope,
  WireHop,
} from './contracts/transport.ts';
export type {
  Perspective,
  PerspectiveDefinition,
  PerspectiveMode,
} from './definitions/perspective.ts';
export { definePerspective } from './definitions/perspective.ts';
export type {
  Attempt,
  CacheOptions,
  CachePolicy,
  CircuitBreaker,
  CircuitBreakerOptions,
  CircuitState,
  Policy,
  PolicyMatch,
  PolicyOutcome,
  PolicyRun,
  RetryOptions,
  TimeoutOptions,
} from './definitions/policy.ts';
export { cache, circuitBreaker, retry, timeout } from './definitions/policy.ts';
export type { Principal } from './definitions/principal.ts';
export type {
  Receptor,
  ReceptorAuthorization,
  ReceptorAuthorize,
  ReceptorContext,
  Reply,
  ResultOf,
  StateDefinition,
  StatefulReceptorDefinition,
  StatelessReceptorDefinition,
  Unreply,
} from './definitions/receptor.ts';
export { defineReceptor, defineState, REPLY, reply } from './definitions/receptor.ts';
export type { BinaryLogStats } from './memory/binary-log.ts';
export type { MemoryDriver, MemoryDriverOptions } from './memory/driver.ts';
export { memoryDriver } from './memory/driver.ts';
export type { MemoryLeasesOptions } from './memory/leases.ts';
export { memoryLeases } from './memory/leases.ts';
export type { MemoryLedger, MemoryLedgerOptions } from './memory/ledger.ts';
export { memoryLedger } from './memory/ledger.ts';
export type { MemorySnapshots } from './memory/snapshots.ts';
export { memorySnapshots } from './memory/snapshots.ts';
export type { MemoryStore, MemoryStoreOptions } from './memory/store.ts';
export { memoryStore } from './memory/store.ts';
export type {
  DeadLetterHandler,
  MemoryTransport,
  MemoryTransportOptions,
} from './memory/transport.ts';
export { memoryTransport } from './memory/transport.ts';
export type { Envelope, EnvelopeOrigin, Hop, PolicyDecision } from './messages/envelope.ts';
export { createEnvelope, DEFAULT_TENANT } from './messages/envelope.ts';
export type {
  Command,
  CommandDefinition,
  CommandOptions,
  DataOf,
  Event,
  EventDefinition,
  EventOptions,
  InputDataOf,
  InputOf,
  Message,
  MessageDefinition,
  MessageKind,
  MessageOf,
  Payload,
  ProtectSpec,
} from './messages/message.ts';
export { defineCommand, defineEvent, payload } from './messages/message.ts';
export type { BuildOptions, RouteOptions, WhizbangBuilder } from './runtime/builder.ts';
export { whizbang } from './runtime/builder.ts';
export type { CommandState, CommandStore } from './runtime/command-store.ts';
export { commandStore } from './runtime/command-store.ts';
export type { CoordinateOptions, Coordination, Work } from './runtime/coordinate.ts';
export type { InTransaction, Outcome } from './runtime/flow.ts';
export type { HealthOptions, HealthReport, PerspectiveHealth } from './runtime/health.ts';
export type { PoisonOptions } from './runtime/projector.ts';
export type {
  LiveState,
  Readable,
  ReadableOptions,
  Watchable,
  Writable,
} from './runtime/readable.ts';
export { liveModel, liveQuery, readable, writable } from './runtime/readable.ts';
export type { EventHandler, EventHandlerContext } from './runtime/registry.ts';
export type { Relay, RelayOptions } from './runtime/relay.ts';
export type { Replica, ReplicatedRun } from './runtime/replica.ts';
export type { ScheduleOptions } from './runtime/scheduler.ts';
export type { ScheduledCommand } from './runtime/schedules.ts';
export { CommandScheduled, SCHEDULES, ScheduledCommandSent } from './runtime/schedules.ts';
export { scopedLens } from './runtime/scoped-lens.ts';
export type { SnapshotIssue } from './runtime/state-cache.ts';
export type { BatchHandler, SubscribeOptions, Subscription } from './runtime/subscription.ts';
export { subscribe, subscribeBatches } from './runtime/subscription.ts';
export type {
  DeliveryReceipt,
  Lens,
  ListenOptions,
  LiveLens,
  LiveOptions,
  PublishOptions,
  ScheduleReceipt,
  ScheduleSendOptions,
  SendOptions,
  SyncOptions,
  Whizbang,
} from './runtime/types.ts';
export { SCHEMA_VERSION, upcastEvent, upcastingLedger } from './runtime/upcast.ts';
export type { ErrorCode, ValidationIssue } from './util/errors.ts';
export {
  ConcurrencyError,
  CorruptDataError,
  ForbiddenError,
  isConcurrencyError,
  isCorruptDataError,
  isValidationError,
  isWhizbangError,
  ValidationError,
  WhizbangError,
} from './util/errors.ts';
export { parseTraceparent, uuidv7 } from './util/ids.ts';
export type { MaybePromise } from './util/maybe.ts';
export type { AbortSignal, Declared, OwnAbortSignal } from './util/platform.ts';
export type { StandardSchemaV1 } from './util/standard-schema.ts';
