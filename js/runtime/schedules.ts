/**
 * Scheduled commands, kept in the ledger: `sendAt` appends `CommandScheduled` to a stream of its
 * own (`whizbang-schedule-<id>`), the async perspective `whizbang-schedules` keeps the pending ones
 * as models, and the scheduler sends each when due and appends `ScheduledCommandSent`. Any
 * perspective whose name starts with `whizbang-schedules` and whose models are
 * {@link ScheduledCommand}s is polled the same way (sagas' durable timeouts are one).
 */
import type { Perspective } from '../definitions/perspective.ts';
import { definePerspective } from '../definitions/perspective.ts';
import { type Command, defineEvent, type EventDefinition, payload } from '../messages/message.ts';
import type { Registry } from './registry.ts';

/** The prefix of the names of perspectives the scheduler polls. */
export const SCHEDULES = 'whizbang-schedules';

/** A command waiting for its time, as a schedule perspective keeps it. */
export interface ScheduledCommand {
  /** When it is due, epoch milliseconds. */
  readonly dueAt: number;
  /** The command to send. */
  readonly command: Command;
  /** The tenant it is sent for. */
  readonly tenant: string;
  /** Its message id: with an inbox, sending it again is a duplicate, handled once. */
  readonly messageId: string;
  /** The correlation id it is sent with. */
  readonly correlationId?: string;
  /** The causation id it is sent with. */
  readonly causationId?: string;
  /** Where `ScheduledCommandSent` is appended once it went (a `sendAt` schedule's own stream). */
  readonly stream?: string;
}

/** A command was scheduled. */
export const CommandScheduled: EventDefinition<
  'Whizbang:CommandScheduled',
  { readonly scheduled: ScheduledCommand }
> = defineEvent('Whizbang:CommandScheduled', payload<{ readonly scheduled: ScheduledCommand }>());

/** A scheduled command was sent (or failed for good: `error`). */
export const ScheduledCommandSent: EventDefinition<
  'Whizbang:ScheduledCommandSent',
  { readonly error?: string }
> = defineEvent('Whizbang:ScheduledCommandSent', payload<{ readonly error?: string }>());

/** The stream of a `sendAt` schedule. */
export const scheduleStream = (id: string): string => `whizbang-schedule-${id}`;

/** The pending `sendAt` schedules, by stream, in the default tenant. */
export const schedules: Perspective<ScheduledCommand | null, any> = definePerspective({
  name: SCHEDULES,
  mode: 'async',
  events: [CommandScheduled, ScheduledCommandSent],
  initial: (): ScheduledCommand | null => null,
  apply: (_model, event) =>
    event.type === CommandScheduled.type
      ? (event.data as { scheduled: ScheduledCommand }).scheduled
      : null,
}) as unknown as Perspective<ScheduledCommand | null, any>;

/** Registers `whizbang-schedules` in `registry` (as the app is built, before the projectors start). */
export function registerSchedules(registry: Registry): void {
  if (!registry.perspectives.has(SCHEDULES))
    registry.addPerspective(schedules as unknown as Perspective);
}
