/** The public shape of a built app: its dispatcher, lenses and lifecycle. */

import type { ExpectedVersion, Ledger } from '../contracts/ledger.ts';
import type { Page, Query, Where } from '../contracts/query.ts';
import type { PerspectiveStore } from '../contracts/store.ts';
import type { Transport, TransportSubscription } from '../contracts/transport.ts';
import type { Perspective } from '../definitions/perspective.ts';
import type { Principal } from '../definitions/principal.ts';
import type { Envelope } from '../messages/envelope.ts';
import type { Command, Event } from '../messages/message.ts';
import type { Coordination } from './coordinate.ts';
import type { HealthOptions, HealthReport } from './health.ts';
import type { Relay, RelayOptions } from './relay.ts';
import type { Replica } from './replica.ts';

/** Options of `send` and `localInvoke`. */
export interface SendOptions {
  /** The tenant to act for (default `'default'`). */
  readonly tenant?: string;
  /** Continue an existing conversation. */
  readonly correlationId?: string;
  /** The message that caused this one (continues its chain). */
  readonly causationId?: string;
  /**
   * Give the command its own id (UUIDv7 by default). Where the driver keeps an inbox, a command
   * sent again with an id it has handled is not handled again (its receipt says `'duplicate'`).
   */
  readonly messageId?: string;
  /** A W3C traceparent to continue a trace from. */
  readonly traceparent?: string;
  /**
   * Who sends it, from your authenticated session (never from what a client wrote): the
   * receptor's `authorize` hook is asked before it decides, and its context carries it. The
   * tenant defaults to the principal's; another one is refused with `FORBIDDEN`. Commands the
   * receptor sends in turn are the app's own (sent without one).
   */
  readonly principal?: Principal;
}

/** Options of `publish` and `publishMany` (no principal: no receptor decides a published event). */
export interface PublishOptions extends Omit<SendOptions, 'principal'> {
  /** The stream the event is appended to. */
  readonly stream: string;
  /** The version the event's stream must be at. */
  readonly expectedVersion?: ExpectedVersion;
}

/** Options of `localInvokeAndSync`. */
export interface SyncOptions extends SendOptions {
  /** How long to wait for async perspectives (default 5000 ms). */
  readonly timeoutMs?: number;
}

/** What happened to a sent command or published event. */
export interface DeliveryReceipt {
  /** The id of the message sent. */
  readonly messageId: string;
  /** The id of its chain: ask the trace store for the tree by it. */
  readonly correlationId: string;
  /** The message type's name. */
  readonly type: string;
  /**
   * `'handled'` here, `'queued'` in the outbox for another process, or `'duplicate'`: sent with a
   * `messageId` the inbox had handled before, so nothing was done again.
   */
  readonly status: 'handled' | 'queued' | 'duplicate';
  /** The stream written to, if any. */
  readonly streamId: string | undefined;
  /** The stream's version after the append, if anything was appended. */
  readonly version: number | undefined;
  /** The newest global position written by this message and everything that cascaded from it (0 when none). */
  readonly position: number;
  /** Events appended by this message itself. */
  readonly events: number;
  /** The message's envelope, with its hops. */
  readonly envelope: Envelope;
}

/**
 * Options of `app.sendAt` and `app.sendAfter` (no principal: a scheduled command is sent later by
 * the app; ask your rules before scheduling it).
 */
export interface ScheduleSendOptions extends Omit<SendOptions, 'principal'> {
  /**
   * The schedule's id (default a fresh UUIDv7; also the command's message id when it is sent).
   * Scheduling again with an id already scheduled changes nothing and says `duplicate`.
   */
  readonly scheduleId?: string;
}

/** What `sendAt` and `sendAfter` answer. */
export interface ScheduleReceipt {
  /** The schedule's id (the command is sent with it as its message id). */
  readonly scheduleId: string;
  /** When the command is due, epoch milliseconds. */
  readonly dueAt: number;
  /** True when this id was scheduled before (nothing changed). */
  readonly duplicate: boolean;
}

/** Options of `app.listen`. */
export interface ListenOptions {
  /** The queue group of competing consumers (default: the app's name). */
  readonly queue?: string;
  /** Topics to take (default: those of this app's receptors' commands and handlers' events). */
  readonly topics?: readonly string[];
  /**
   * Topics to answer invocations on, when the transport carries requests (default
   * `whizbang.invoke.<Type>` for each of this app's receptors; `[]` answers none).
   */
  readonly invokeTopics?: readonly string[];
  /**
   * With `coordinate`: listen in one instance at a time (the holder of the lease
   * `listen:<queue>`), another taking over when it goes, for a durable subscription whose
   * messages one consumer handles in order. `listen` then resolves at once.
   */
  readonly exclusive?: boolean;
}

/** Options of a live lens (`lens.watch`, `lens.live`). */
export interface LiveOptions {
  /**
   * Hears a failed read (the live lens keeps its last answer and reads again at the next change)
   * and a listener's throw. Without it both are dropped.
   */
  readonly onError?: (error: unknown) => void;
}

/** Reads a perspective's models. */
export interface Lens<M> {
  /** The model by id, for a tenant (`undefined` when there is none). */
  get(id: string, options?: { readonly tenant?: string }): Promise<M | undefined>;
  /** The models that match `query` (filter, order, page), for a tenant. */
  query(query?: Query & { readonly tenant?: string }): Promise<M[]>;
}

/** A lens of an app's perspective, with its live forms: answers that follow the data. */
export interface LiveLens<M> extends Lens<M> {
  /** The first model `query` answers (its `limit` set to 1), or `undefined`. */
  first(query?: Query & { readonly tenant?: string }): Promise<M | undefined>;
  /** How many models match `where` (the whole answer, without `limit`, `offset` or `after`). */
  count(query?: { readonly where?: Where; readonly tenant?: string }): Promise<number>;
  /**
   * One page of `query` (`limit` models, default 50) with the cursor of the next: pass it as
   * `after` for the page after this one.
   */
  page(query?: Query & { readonly tenant?: string }): Promise<Page<M>>;
  /**
   * A live `get`: calls `listener` with the model now (`undefined` when there is none), then
   * again after each committed change that leaves it different. Returns the unsubscribe.
   */
  watch(
    id: string,
    listener: (model: M | undefined) => void,
    options?: LiveOptions & { readonly tenant?: string },
  ): () => void;
  /**
   * A live `query`: calls `listener` with the answer now, then again after each committed change
   * set that touches a model the query could include and leaves the answer different. Returns the
   * unsubscribe.
   */
  live(
    query: Query & { readonly tenant?: string },
    listener: (models: M[]) => void,
    options?: LiveOptions,
  ): () => void;
  /**
   * A live `count`: calls `listener` with the number of models matching `where` now, then again
   * after each committed change set to the tenant's models that leaves it different.
   */
  liveCount(
    query: { readonly where?: Where; readonly tenant?: string },
    listener: (count: number) => void,
    options?: LiveOptions,
  ): () => void;
}

/** A built app. `C` is the union of handled commands, `R` maps command type to `localInvoke` result. */
export interface Whizbang<
  C extends Command = never,
  R extends Record<string, unknown> = Record<never, never>,
> {
  /** The app's name (the `service` of its hops). */
  readonly name: string;
  /** The driver's ledger. */
  readonly ledger: Ledger;
  /** The driver's perspective store. */
  readonly store: PerspectiveStore;
  /** The registered perspectives, by name. */
  readonly perspectives: ReadonlyMap<string, Perspective<unknown, any>>;
  /**
   * The app's side of replication, for an engine that keeps it in step with a shared log (offline
   * sync's `startSync(app, …)` works through it): appending events decided elsewhere through the
   * inline perspectives, deciding a displaced command again, forgetting a rewound stream's state.
   */
  readonly replica: Replica;
  /**
   * Present when built with `coordinate`: this instance's name and the background work it runs
   * now (each async perspective and relay runs in one instance at a time).
   */
  readonly coordination: Coordination | undefined;
  /** Sends a command to its receptor; resolves with a receipt once it and its cascade are done. */
  send<M extends C>(command: M, options?: SendOptions): Promise<DeliveryReceipt>;
  /** Sends commands one after another (each its own transaction); stops at the first failure. */
  sendMany<M extends C>(commands: readonly M[], options?: SendOptions): Promise<DeliveryReceipt[]>;
  /**
   * Calls the one receptor of a command and resolves with what it returned; a command routed to
   * `'remote'` with no receptor here is invoked in the app that answers on its topic.
   */
  localInvoke<M extends C>(command: M, options?: SendOptions): Promise<R[M['type']]>;
  /** `localInvoke`, then waits until async perspectives have applied everything it caused. */
  localInvokeAndSync<M extends C>(command: M, options?: SyncOptions): Promise<R[M['type']]>;
  /**
   * Sends `command` at `at` (epoch milliseconds or a Date), from any instance, once: the schedule
   * is kept in the ledger and survives restarts. Needs an app built with `schedules`.
   */
  sendAt<M extends C>(
    command: M,
    at: number | Date,
    options?: ScheduleSendOptions,
  ): Promise<ScheduleReceipt>;
  /** `sendAt(command, Date.now() + delayMs)`. */
  sendAfter<M extends C>(
    command: M,
    delayMs: number,
    options?: ScheduleSendOptions,
  ): Promise<ScheduleReceipt>;
  /**
   * Sends the scheduled commands due now, here, and resolves with how many went (the scheduler
   * does it every `pollMs` on its own; this is for tests and shutdown hooks). Needs `schedules`.
   */
  fireSchedules(): Promise<number>;
  /** Appends an event to a stream and fans it out to every perspective and event handler. */
  publish(event: Event, options: PublishOptions): Promise<DeliveryReceipt>;
  /** Appends events to one stream in one transaction, then fans them out. */
  publishMany(events: readonly Event[], options: PublishOptions): Promise<DeliveryReceipt>;
  /** Reads a registered perspective, once (`get`, `query`) or live (`watch`, `live`). */
  lens<M>(perspective: Perspective<M, any>): LiveLens<M>;
  /** Deletes a perspective's models and applies every event again. */
  rebuild(perspective: Perspective<any, any>): Promise<void>;
  /** Waits until every async perspective has applied the ledger up to `position` (default: head). */
  waitForPerspectives(position?: number, timeoutMs?: number): Promise<void>;
  /**
   * Starts delivering the outbox to a transport (messages routed out with `.route()`); stop it
   * before closing the app.
   */
  relay(transport: Transport, options?: RelayOptions): Relay;
  /**
   * Takes messages from a transport: commands for this app's receptors and events for its
   * handlers, each handled once (the inbox remembers it). Competing consumers share `queue`
   * (default: the app's name). When the transport carries requests, it also answers invocations
   * of its receptors (one member of the queue group answers each), and invokes this app's
   * commands routed to `'remote'` through it. Closing the subscription ends all of that.
   */
  listen(transport: Transport, options?: ListenOptions): Promise<TransportSubscription>;
  /**
   * For orchestrators: whether the driver answers, each async perspective's lag (positions and
   * ms), the outbox's depth and age, and the work this instance holds; plain JSON that a
   * `/healthz` route returns as it is (status 503 unless `status` is `ok`, say).
   */
  health(options?: HealthOptions): Promise<HealthReport>;
  /** Stops async perspectives and closes the driver. */
  close(): Promise<void>;
}
