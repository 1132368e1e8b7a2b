/** The public shapes of sagas: their definition, their steps, and a defined saga. */

import type { Ledger, RecordedEvent } from '../contracts/ledger.ts';
import type { Perspective } from '../definitions/perspective.ts';
import type { Command, Event, EventDefinition, MessageOf } from '../messages/message.ts';
import type { ScheduledCommand } from '../runtime/schedules.ts';
import type { Whizbang } from '../runtime/types.ts';
import type { MaybePromise } from '../util/maybe.ts';
import type { PendingTimeout } from './events.ts';
import type { SagaTimeoutOptions, SagaTimeouts } from './timeouts.ts';

/** What one step of a saga decides. Every field is optional; return nothing to ignore the event. */
export interface SagaStep<S> {
  /** The saga's new state (default: unchanged). Recorded on its stream, so keep it plain data. */
  readonly state?: S;
  /** Commands to send now, in order, as a cascade of the event (same correlation id). */
  readonly send?: Command | readonly Command[];
  /** Commands that undo this step, kept until a later step compensates or the saga completes. */
  readonly undo?: Command | readonly Command[];
  /** Send the undo commands kept so far, newest step first, before `send`; then forget them. */
  readonly compensate?: boolean;
  /**
   * Send `command` after `afterMs` unless another step is recorded first (a saga has at most one
   * pending timeout: the latest step's). Fires only while `saga.runTimeouts(app)` runs.
   */
  readonly timeout?: { readonly afterMs: number; readonly command: Command };
  /** End the saga: later events are ignored, its pending timeout and undo commands are dropped. */
  readonly complete?: boolean;
}

/** What a saga step knows besides its state and the event. */
export interface SagaContext {
  /** The saga instance's id. */
  readonly sagaId: string;
  /** The tenant of the event handled. */
  readonly tenant: string;
  /** False while handling the event that starts the saga. */
  readonly started: boolean;
}

/** Handles one event type: `(state, event, context) => step`. Pure: same input, same step. */
export type SagaHandler<S, E extends Event> = (
  state: S,
  event: RecordedEvent<E>,
  context: SagaContext,
  // biome-ignore lint/suspicious/noConfusingVoidType: ignoring an event is the common case
) => MaybePromise<SagaStep<S> | undefined | void>;

/** One handler per event type the saga names, typed by that event. */
export type SagaHandlers<S, E extends Event> = {
  readonly [K in E['type']]: SagaHandler<S, Extract<E, { readonly type: K }>>;
};

/** The definition given to `defineSaga`. */
export interface SagaDefinition<S, Start extends EventDefinition, Next extends EventDefinition> {
  /** Unique per app; names the saga's streams (`saga-<name>-<sagaId>`) and internal commands. */
  readonly name: string;
  /** The state of a saga before its first step. */
  readonly initial: () => S;
  /** Events that start a saga (when none with that id is running, or handle it like `handles`). */
  readonly startedBy: Start | readonly Start[];
  /** Events that move a running saga on; ignored when none with that id has started. */
  readonly handles?: readonly Next[];
  /** The saga an event belongs to; `undefined` when it belongs to none. */
  readonly correlate: (event: RecordedEvent<MessageOf<Start | Next>>) => string | undefined;
  /** A handler per event type it starts by or handles. */
  readonly on: SagaHandlers<S, MessageOf<Start | Next>>;
}

/** A saga as read from its stream. */
export interface SagaInstance<S> {
  /** The instance's id. */
  readonly sagaId: string;
  /** Its state. */
  readonly state: S;
  /** Whether it has completed. */
  readonly completed: boolean;
  /** Events in its stream. */
  readonly version: number;
  /** The correlation id of the step that started it: pass it on to continue that conversation. */
  readonly correlationId: string;
  /** The pending timeout, if any. */
  readonly timeout: PendingTimeout | undefined;
  /** The undo commands kept, per step, oldest first. */
  readonly undo: ReadonlyArray<readonly Command[]>;
}

/** A defined saga: register it with `withSaga(builder, saga)`. */
export interface Saga<S = unknown> {
  /** The saga's name (its stream's prefix). */
  readonly name: string;
  /** The stream a saga instance records its steps on. */
  streamId(sagaId: string): string;
  /** Reads a saga instance from its stream (`undefined` when it has not started). */
  read(
    source: { readonly ledger: Ledger },
    sagaId: string,
    options?: { readonly tenant?: string },
  ): Promise<SagaInstance<S> | undefined>;
  /**
   * Runs this saga's timeouts on `app` (in memory: timers, unref'd where possible). Stop it before
   * or after `app.close()`. Timeouts do not survive a restart unless re-armed with `{ from: 1 }`.
   */
  runTimeouts(app: Whizbang<any, any>, options?: SagaTimeoutOptions): SagaTimeouts;
  /**
   * The saga's timeouts kept by the driver: register it with `.perspective(saga.timeouts)` on an
   * app built with `schedules`, and the scheduler sends each timeout when due, from one instance,
   * after restarts too (instead of `runTimeouts`).
   */
  readonly timeouts: Perspective<ScheduledCommand | null, any>;
}
