/**
 * `sendAt` and `sendAfter`: a command scheduled is an event in the ledger (`CommandScheduled` on
 * the schedule's own stream, appended only when the stream is new), so it survives restarts and
 * is seen by every instance; the {@link Scheduler} sends it when due.
 */

import { DEFAULT_TENANT } from '../messages/envelope.ts';
import { type Command, isMessage } from '../messages/message.ts';
import { invalidArgument, isWhizbangError } from '../util/errors.ts';
import { uuidv7 } from '../util/ids.ts';
import type { Registry } from './registry.ts';
import { type ScheduleOptions, Scheduler, type SchedulerParts } from './scheduler.ts';
import { CommandScheduled, SCHEDULES, type ScheduledCommand, scheduleStream } from './schedules.ts';
import type { ScheduleReceipt, ScheduleSendOptions } from './types.ts';

/**
 * The app's scheduled commands: scheduling, and the scheduler that sends them. The app loads this
 * module only when it is built with `schedules` (its perspective is registered by
 * {@link registerSchedules} as the app is built).
 */
export class Scheduling {
  readonly #scheduler: Scheduler;
  readonly #publish: SchedulerParts['publish'];

  /** The scheduler over the schedules perspectives of `registry`; the app starts it. */
  constructor(
    registry: Registry,
    parts: Omit<SchedulerParts, 'sources'>,
    options: ScheduleOptions,
  ) {
    const sources = [...registry.perspectives.keys()].filter((n) => n.startsWith(SCHEDULES));
    this.#scheduler = new Scheduler({ ...parts, sources }, options);
    this.#publish = parts.publish;
  }

  /** Starts the scheduler here. */
  start(): void {
    this.#scheduler.start();
  }

  /** Schedules `command` for `at`. */
  async sendAt(
    command: Command,
    at: number | Date,
    options: ScheduleSendOptions = {},
  ): Promise<ScheduleReceipt> {
    if (!isMessage(command) || command.kind !== 'command')
      throw invalidArgument('sendAt takes a command made by a defineCommand() definition.');
    const dueAt = at instanceof Date ? at.getTime() : at;
    if (typeof dueAt !== 'number' || !Number.isFinite(dueAt))
      throw invalidArgument(
        `sendAt needs a time (epoch milliseconds or a Date), got ${String(at)}.`,
      );
    const scheduleId = options.scheduleId ?? uuidv7();
    if (typeof scheduleId !== 'string' || scheduleId.length === 0)
      throw invalidArgument('scheduleId must be a non-empty string.');
    const scheduled: ScheduledCommand = {
      dueAt: Math.floor(dueAt),
      command: { kind: 'command', type: command.type, data: command.data },
      tenant: options.tenant ?? DEFAULT_TENANT,
      messageId: scheduleId,
      stream: scheduleStream(scheduleId),
      ...(options.correlationId === undefined ? {} : { correlationId: options.correlationId }),
      ...(options.causationId === undefined ? {} : { causationId: options.causationId }),
    };
    try {
      await this.#publish(CommandScheduled({ scheduled }), {
        stream: scheduled.stream!,
        expectedVersion: 'no_stream',
        ...(options.traceparent === undefined ? {} : { traceparent: options.traceparent }),
      });
    } catch (error) {
      if (isWhizbangError(error, 'CONCURRENCY_CONFLICT'))
        return { scheduleId, dueAt: scheduled.dueAt, duplicate: true };
      throw error;
    }
    return { scheduleId, dueAt: scheduled.dueAt, duplicate: false };
  }

  /** Sends what is due now, here. */
  fire(): Promise<number> {
    return this.#scheduler.fire();
  }

  /** Stops the scheduler here. */
  stop(): Promise<void> {
    return this.#scheduler.stop();
  }
}
