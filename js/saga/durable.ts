/**
 * A saga's timeouts as a schedule perspective: the latest step's pending timeout of each saga, kept
 * by the driver, which the app's scheduler (`schedules` in `build`) sends when due, from one
 * instance, after restarts too. The saga's stream still decides: a timeout fires once, only while
 * it stands.
 */
import type { RecordedEvent } from '../contracts/ledger.ts';
import { definePerspective, type Perspective } from '../definitions/perspective.ts';
import type { ScheduledCommand } from '../runtime/schedules.ts';
import { SCHEDULES } from '../runtime/schedules.ts';
import {
  SagaStepped,
  type SagaSteppedData,
  SagaTimedOut,
  type SagaTimedOutData,
} from './events.ts';

/** The schedule perspective of saga `name`'s timeouts; `timeoutType` is its internal command. */
export function sagaTimeoutsPerspective(
  name: string,
  timeoutType: string,
): Perspective<ScheduledCommand | null, any> {
  const id = `${SCHEDULES}-saga-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 63);
  return definePerspective({
    name: id,
    mode: 'async',
    events: [SagaStepped, SagaTimedOut],
    key: (event) => ((event.data as { saga: string }).saga === name ? event.streamId : undefined),
    initial: (): ScheduledCommand | null => null,
    apply: (model, event: RecordedEvent): ScheduledCommand | null => {
      if (event.type === SagaTimedOut.type) {
        const fired = event.data as SagaTimedOutData;
        return model !== null &&
          model.command.data !== undefined &&
          (model.command.data as { step: number }).step === fired.step
          ? null
          : model;
      }
      const step = event.data as SagaSteppedData;
      if (step.complete || step.timeout === null) return null;
      return {
        dueAt: step.timeout.dueAt,
        command: {
          kind: 'command' as const,
          type: timeoutType,
          data: { sagaId: step.sagaId, step: step.step },
        },
        tenant: event.tenant,
        messageId: `timeout-${event.messageId}`,
        correlationId: event.correlationId,
        causationId: event.messageId,
      };
    },
  }) as unknown as Perspective<ScheduledCommand | null, any>;
}
