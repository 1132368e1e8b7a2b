/**
 * What a saga writes to its own stream (`saga-<name>-<sagaId>`), and how its state is folded back
 * from those events: one `SagaStepped` per event it handled, one `SagaTimedOut` per timeout that fired.
 */
import type { RecordedEvent } from '../contracts/ledger.ts';
import { type Command, defineEvent, type EventDefinition, payload } from '../messages/message.ts';

/** A timeout a step asked for, as recorded. */
export interface SagaTimeoutRecord {
  /** How long after the step it fires, ms. */
  readonly afterMs: number;
  /** When it is due, epoch milliseconds. */
  readonly dueAt: number;
  /** What is sent when it fires. */
  readonly command: Command;
}

/** What a saga saw and decided for one event. */
export interface SagaSteppedData {
  /** The saga's name. */
  readonly saga: string;
  /** The saga instance's id. */
  readonly sagaId: string;
  /** The step's version in the saga's stream (the timeout it asks for is known by it). */
  readonly step: number;
  /** The event handled. */
  readonly event: {
    readonly type: string;
    readonly messageId: string;
    readonly streamId: string;
    readonly position: number;
  };
  /** The saga's state after the step. */
  readonly state: unknown;
  /** Every command the step sent, in order: compensations first, then `send`. */
  readonly sent: readonly Command[];
  /** The commands that undo this step, kept until the saga compensates or completes. */
  readonly undo: readonly Command[];
  /** True when the step sent the undo commands recorded so far. */
  readonly compensated: boolean;
  /** The timeout the step asked for, if any. */
  readonly timeout: SagaTimeoutRecord | null;
  /** True when the step completed the saga. */
  readonly complete: boolean;
}

/** A timeout fired: its command was sent. */
export interface SagaTimedOutData {
  /** The saga's name. */
  readonly saga: string;
  /** The saga instance's id. */
  readonly sagaId: string;
  /** The step that asked for the timeout. */
  readonly step: number;
  /** The command sent because the timeout fired. */
  readonly command: Command;
}

/** Recorded on a saga's stream for each event it handled. */
export const SagaStepped: EventDefinition<'SagaStepped', SagaSteppedData> = defineEvent(
  'SagaStepped',
  payload<SagaSteppedData>(),
);

/** Recorded on a saga's stream when a timeout fired. */
export const SagaTimedOut: EventDefinition<'SagaTimedOut', SagaTimedOutData> = defineEvent(
  'SagaTimedOut',
  payload<SagaTimedOutData>(),
);

/** A saga's pending timeout. */
export interface PendingTimeout {
  /** The step that asked for it. */
  readonly step: number;
  /** When it is due, epoch ms. */
  readonly dueAt: number;
  /** What is sent when it fires. */
  readonly command: Command;
}

/** A saga folded from its stream. */
export interface SagaFold<S> {
  /** At least one step is recorded. */
  readonly started: boolean;
  readonly completed: boolean;
  readonly state: S;
  /** Message ids of the events handled, so a redelivered one is not handled twice. */
  readonly handled: readonly string[];
  /** Undo commands per step, oldest step first. */
  readonly undo: ReadonlyArray<readonly Command[]>;
  readonly timeout: PendingTimeout | undefined;
  /** The correlation id of the step that started the saga. */
  readonly correlationId: string | undefined;
}

/** The empty fold of a saga whose state starts as `initial`. */
export function emptyFold<S>(initial: S): SagaFold<S> {
  return {
    started: false,
    completed: false,
    state: initial,
    handled: [],
    undo: [],
    timeout: undefined,
    correlationId: undefined,
  };
}

/** Folds one event of a saga's stream. Pure: returns a new fold. */
export function evolveFold<S>(fold: SagaFold<S>, event: RecordedEvent): SagaFold<S> {
  if (event.type === SagaStepped.type) {
    const d = event.data as SagaSteppedData;
    const kept = d.compensated ? [] : fold.undo;
    const timeout = d.timeout ?? undefined;
    return {
      started: true,
      completed: d.complete,
      state: d.state as S,
      handled: [...fold.handled, d.event.messageId],
      undo: d.complete ? [] : d.undo.length > 0 ? [...kept, d.undo] : kept,
      timeout:
        d.complete || timeout === undefined
          ? undefined
          : { step: d.step, dueAt: timeout.dueAt, command: timeout.command },
      correlationId: fold.correlationId ?? event.correlationId,
    };
  }
  if (event.type === SagaTimedOut.type) {
    const d = event.data as SagaTimedOutData;
    return fold.timeout?.step === d.step ? { ...fold, timeout: undefined } : fold;
  }
  return fold;
}
