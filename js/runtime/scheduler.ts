/**
 * The scheduler: sends scheduled commands when due. Every `pollMs` it reads each schedule
 * perspective (`whizbang-schedules…`) for models due by now, sends each command with its own
 * message id (where the driver keeps an inbox, a second sending is a duplicate: the command is
 * handled once, whichever instance sends it, however often) and marks a `sendAt` schedule sent.
 * With a coordinator it runs in one instance at a time (lease `schedules`).
 */
import type { BackgroundFailure } from '../contracts/observer.ts';
import type { PerspectiveStore } from '../contracts/store.ts';
import { DEFAULT_TENANT } from '../messages/envelope.ts';
import type { Command, Event } from '../messages/message.ts';
import { isWhizbangError, wholeOption } from '../util/errors.ts';
import { platform, type Timer, unref } from '../util/platform.ts';
import { type ScheduledCommand, ScheduledCommandSent } from './schedules.ts';
import type { DeliveryReceipt, PublishOptions, SendOptions } from './types.ts';

/** Options of the app's `schedules`. */
export interface ScheduleOptions {
  /** How often due commands are looked for, ms (default 1 000): the most a command is late. */
  readonly pollMs?: number;
  /** Due commands sent per look (default 100). */
  readonly batchSize?: number;
  /**
   * Tenants whose schedule perspectives are read (default `['default']`). `sendAt` schedules are
   * all kept in the default tenant; a saga's timeouts are kept in the saga's tenant.
   */
  readonly tenants?: readonly string[];
}

/** What the scheduler works with. */
export interface SchedulerParts {
  readonly store: PerspectiveStore;
  /** The names of the schedule perspectives to read. */
  readonly sources: readonly string[];
  readonly send: (command: Command, options: SendOptions) => Promise<DeliveryReceipt>;
  readonly publish: (event: Event, options: PublishOptions) => Promise<DeliveryReceipt>;
  readonly report: (failure: BackgroundFailure) => void;
}

/** Failures that say nothing of the command: tried again at the next look. */
const PASSING = ['UNAVAILABLE', 'BUSY', 'CLOSED', 'STORAGE_FAILED', 'TIMEOUT'] as const;

/** Sends due scheduled commands while started. */
export class Scheduler {
  readonly #parts: SchedulerParts;
  readonly #pollMs: number;
  readonly #batch: number;
  readonly #tenants: readonly string[];
  /** Sent here and not yet gone from the perspective (it lags): not sent again meanwhile. */
  readonly #sent = new Set<string>();
  #timer: Timer | undefined;
  #running: Promise<number> | undefined;
  #on = false;

  constructor(parts: SchedulerParts, options: ScheduleOptions) {
    this.#parts = parts;
    this.#pollMs = wholeOption('schedules.pollMs', options.pollMs, 1_000);
    this.#batch = wholeOption('schedules.batchSize', options.batchSize, 100);
    this.#tenants = options.tenants ?? [DEFAULT_TENANT];
  }

  /** Starts looking every `pollMs`. */
  start(): void {
    this.#on = true;
    this.#next(0);
  }

  /** Stops looking; resolves once the look in hand is done. */
  async stop(): Promise<void> {
    this.#on = false;
    platform.clearTimeout(this.#timer);
    await this.#running;
  }

  #next(ms: number): void {
    if (!this.#on) return;
    this.#timer = platform.setTimeout(() => {
      void this.fire().finally(() => this.#next(this.#pollMs));
    }, ms);
    unref(this.#timer);
  }

  /** Sends what is due now; resolves with how many commands went. */
  async fire(): Promise<number> {
    while (this.#running !== undefined) await this.#running;
    this.#running = this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(): Promise<number> {
    const { store, sources } = this.#parts;
    const now = Date.now();
    const seen = new Set<string>();
    let sent = 0;
    for (const source of sources) {
      for (const tenant of this.#tenants) {
        let rows: { model: unknown }[];
        try {
          rows = await store.query(source, tenant, {
            where: { dueAt: { lte: now } },
            orderBy: { dueAt: 'asc' },
            limit: this.#batch,
          });
        } catch (error) {
          this.#report(source, error);
          continue;
        }
        for (const row of rows) {
          const due = row.model as ScheduledCommand;
          seen.add(due.messageId);
          if (this.#sent.has(due.messageId)) continue;
          if (await this.#send(source, due)) sent++;
        }
      }
    }
    // what the perspectives no longer show is gone for good
    for (const id of this.#sent) if (!seen.has(id)) this.#sent.delete(id);
    return sent;
  }

  async #send(source: string, due: ScheduledCommand): Promise<boolean> {
    const { send } = this.#parts;
    let error: string | undefined;
    try {
      await send(due.command, {
        tenant: due.tenant,
        messageId: due.messageId,
        ...(due.correlationId === undefined ? {} : { correlationId: due.correlationId }),
        ...(due.causationId === undefined ? {} : { causationId: due.causationId }),
      });
    } catch (failure) {
      this.#report(source, failure);
      if (PASSING.some((code) => isWhizbangError(failure, code))) return false;
      error = failure instanceof Error ? failure.message : String(failure);
    }
    this.#sent.add(due.messageId);
    if (due.stream !== undefined) await this.#mark(source, due.stream, error);
    return error === undefined;
  }

  /** Appends `ScheduledCommandSent` once: another instance's mark first is as good. */
  async #mark(source: string, stream: string, error: string | undefined): Promise<void> {
    try {
      await this.#parts.publish(ScheduledCommandSent(error === undefined ? {} : { error }), {
        stream,
        expectedVersion: 1,
      });
    } catch (failure) {
      if (!isWhizbangError(failure, 'CONCURRENCY_CONFLICT')) this.#report(source, failure);
    }
  }

  #report(name: string, error: unknown): void {
    this.#parts.report({ source: 'scheduler', name, error, outcome: 'retrying' });
  }
}
