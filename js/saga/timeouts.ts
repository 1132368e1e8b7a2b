/**
 * Saga timeouts, in memory: a runner watches an app's ledger for the steps of one saga, keeps a
 * timer per pending timeout, and when one fires sends the saga's internal timeout command, whose
 * receptor checks against the saga's stream that the timeout still stands. Timers are a wake-up
 * only; the stream decides, so a late, repeated or concurrent firing sends the command at most once.
 */

import type { RecordedEvent } from '../contracts/ledger.ts';
import type { Command } from '../messages/message.ts';
import { type Subscription, subscribe } from '../runtime/subscription.ts';
import type { Whizbang } from '../runtime/types.ts';
import { isWhizbangError, WhizbangError } from '../util/errors.ts';
import { chain } from '../util/maybe.ts';
import { platform, type Timer, unref } from '../util/platform.ts';
import {
  SagaStepped,
  type SagaSteppedData,
  SagaTimedOut,
  type SagaTimedOutData,
} from './events.ts';

/** Options of `saga.runTimeouts(app, options)`. */
export interface SagaTimeoutOptions {
  /**
   * First ledger position to read steps from (default: after the head, so steps recorded from now
   * on). `1` re-arms the pending timeouts of every saga in the ledger, overdue ones at once: this
   * reads the whole ledger, so it suits tests and small ledgers, not a durable scheduler.
   */
  readonly from?: number;
  /**
   * Called when a timeout command fails, or reading the ledger does. Without it the error is left
   * unhandled (a rejected promise), as a failing timer callback would be.
   */
  readonly onError?: (error: unknown) => void;
}

/** The running timeouts of one saga in one app. */
export interface SagaTimeouts {
  /** How many timers are armed. */
  readonly pending: number;
  /** Resolves once every step up to the ledger's head is seen and no timeout command is in flight. */
  settled(): Promise<void>;
  /** Clears every timer and stops reading the ledger; resolves when commands in flight are done. */
  stop(): Promise<void>;
}

/** The longest delay `setTimeout` takes as given (2^31 - 1 ms); longer ones wake and re-arm. */
const MAX_DELAY = 2_147_483_647;

interface Armed {
  readonly step: number;
  timer: Timer;
}

/** Starts the timeout runner of saga `name` on `app`; `timeoutType` is its internal command. */
export function runSagaTimeouts(
  app: Whizbang<any, any>,
  name: string,
  timeoutType: string,
  options: SagaTimeoutOptions = {},
): SagaTimeouts {
  const armed = new Map<string, Armed>();
  const inFlight = new Set<Promise<void>>();
  const prefix = `saga-${name}-`;
  let stopped = false;
  let subscription: Subscription | undefined;

  const report = (error: unknown): void => {
    if (options.onError !== undefined) options.onError(error);
    else void Promise.reject(error); // unhandled, as a failing timer callback's error would be
  };

  const clear = (key: string): void => {
    const entry = armed.get(key);
    if (entry === undefined) return;
    platform.clearTimeout(entry.timer);
    armed.delete(key);
  };

  const fire = (key: string, step: SagaSteppedData, from: RecordedEvent): void => {
    armed.delete(key);
    const command: Command = {
      kind: 'command',
      type: timeoutType,
      data: { sagaId: step.sagaId, step: step.step },
    };
    const sent: Promise<void> = app
      .send(command, {
        tenant: from.tenant,
        correlationId: from.correlationId,
        causationId: from.messageId,
      })
      .then(
        () => undefined,
        (error: unknown) => {
          if (isWhizbangError(error, 'CLOSED')) return void stop();
          const what = step.timeout?.command.type ?? 'timeout';
          report(
            new WhizbangError(
              'HANDLER_FAILED',
              `Saga "${name}" ${step.sagaId}: the timeout of step ${step.step} could not send "${what}": ${error instanceof Error ? error.message : String(error)}. ` +
                'Fix the command or its receptor; pass onError to runTimeouts() to handle this yourself.',
              { cause: error },
            ),
          );
        },
      )
      .finally(() => inFlight.delete(sent));
    inFlight.add(sent);
  };

  const arm = (key: string, step: SagaSteppedData, from: RecordedEvent): void => {
    const dueAt = step.timeout!.dueAt;
    const delay = Math.max(0, dueAt - Date.now());
    const timer = platform.setTimeout(
      () => (delay > MAX_DELAY ? arm(key, step, from) : fire(key, step, from)),
      Math.min(delay, MAX_DELAY),
    );
    unref(timer); // a pending timeout does not keep the process alive
    armed.set(key, { step: step.step, timer });
  };

  const see = (event: RecordedEvent): void => {
    if (stopped || !event.streamId.startsWith(prefix)) return;
    const key = `${event.tenant}\u0000${event.streamId}`;
    if (event.type === SagaStepped.type) {
      const step = event.data as SagaSteppedData;
      if (step.saga !== name) return;
      clear(key); // a later step replaces the pending timeout
      if (!step.complete && step.timeout !== null) arm(key, step, event);
    } else if ((event.data as SagaTimedOutData).saga === name) {
      if (armed.get(key)?.step === (event.data as SagaTimedOutData).step) clear(key);
    }
  };

  const started = chain(options.from ?? chain(app.ledger.headPosition(), (h) => h + 1), (from) => {
    if (stopped) return;
    subscription = subscribe(app.ledger, see, {
      from,
      types: [SagaStepped.type, SagaTimedOut.type],
      onError: report,
    });
  });

  const stop = async (): Promise<void> => {
    stopped = true;
    for (const key of [...armed.keys()]) clear(key);
    await started;
    await subscription?.stop();
    await Promise.allSettled([...inFlight]);
  };

  return {
    get pending() {
      return armed.size;
    },
    async settled() {
      await started;
      // A timeout command's events may be further steps: read again until nothing is in flight.
      for (;;) {
        if (!stopped) await subscription?.waitFor();
        if (inFlight.size === 0) return;
        await Promise.allSettled([...inFlight]);
      }
    },
    stop,
  };
}
