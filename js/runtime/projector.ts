/**
 * Runs async perspectives: a subscription from the checkpoint, one transaction per batch. A batch
 * that fails is applied again one event at a time; an event whose `apply` keeps failing (a poison
 * event) is retried with backoff, then parked (skipped, with a report) or stops the perspective,
 * as the app chose. Every failure is reported; none escapes as an unhandled rejection.
 */

import type { Ledger, RecordedEvent } from '../contracts/ledger.ts';
import type { BackgroundFailure } from '../contracts/observer.ts';
import type { PerspectiveStore } from '../contracts/store.ts';
import type { Perspective } from '../definitions/perspective.ts';
import { isWhizbangError, WhizbangError } from '../util/errors.ts';
import { sleep } from '../util/timers.ts';
import type { Changes } from './changes.ts';
import { applyEvents } from './project.ts';
import { type Subscription, subscribeBatches } from './subscription.ts';

/** What an app does with an event its async perspective cannot apply. */
export interface PoisonOptions {
  /** How many times a failing event is tried again, with doubling pauses (default 3). */
  readonly retries?: number;
  /** The first pause, ms (default 100). */
  readonly backoffMs?: number;
  /** After the retries: `'park'` skips the event and goes on, `'stop'` stops (default `'stop'`). */
  readonly afterRetries?: 'park' | 'stop';
}

/** How a projector reports and retries. */
export interface ProjectorSettings {
  readonly report: (failure: BackgroundFailure) => void;
  readonly poison: PoisonOptions;
  /** Where live lenses hear of the models a batch wrote (when any watch this perspective). */
  readonly changes?: Changes;
}

/** One async perspective's runner. */
export class Projector {
  readonly perspective: Perspective;
  readonly #ledger: Ledger;
  readonly #store: PerspectiveStore;
  readonly #settings: ProjectorSettings;
  #subscription: Promise<Subscription | undefined> | undefined;
  #error: unknown;

  constructor(
    ledger: Ledger,
    store: PerspectiveStore,
    perspective: Perspective,
    settings: ProjectorSettings,
  ) {
    this.#ledger = ledger;
    this.#store = store;
    this.perspective = perspective;
    this.#settings = settings;
  }

  /** Starts from the stored checkpoint; a failure to start is reported, never unhandled. */
  start(): void {
    const store = this.#store;
    const p = this.perspective;
    this.#error = undefined;
    this.#subscription = Promise.resolve()
      .then(() => store.checkpoint(p.name))
      .then((checkpoint) =>
        subscribeBatches(this.#ledger, (events, through) => this.#apply(events, through), {
          from: checkpoint + 1,
          types: [...p.types],
          onError: (error) => this.#stopped(error),
        }),
      )
      .catch((error: unknown) => {
        this.#stopped(error);
        return undefined;
      });
  }

  #stopped(error: unknown): void {
    this.#error = error;
    this.#settings.report({
      source: 'perspective',
      name: this.perspective.name,
      error,
      outcome: 'stopped',
    });
  }

  #transaction(events: readonly RecordedEvent[], through: number): Promise<void> {
    const p = this.perspective;
    const changes = this.#settings.changes;
    const recorder = changes?.recorder([p]);
    if (recorder === undefined)
      return Promise.resolve(
        this.#store.transaction((tx) => applyEvents([p], events, tx, through)),
      );
    return Promise.resolve(
      this.#store.transaction((tx) => applyEvents([p], events, recorder.writer(tx), through)),
    ).then(() => changes!.committed(recorder));
  }

  /** One batch; when it fails, its events one at a time, to find the one to blame. */
  async #apply(events: readonly RecordedEvent[], through: number): Promise<void> {
    try {
      return await this.#transaction(events, through);
    } catch (error) {
      if (events.length <= 1) return this.#retry(events, through, error);
    }
    for (let i = 0; i < events.length; i++) {
      const upTo = i === events.length - 1 ? through : events[i]!.position;
      try {
        await this.#transaction([events[i]!], upTo);
      } catch (error) {
        await this.#retry([events[i]!], upTo, error);
      }
    }
  }

  /** Tries `events` again with doubling pauses; then parks a poison event, or stops. */
  async #retry(events: readonly RecordedEvent[], upTo: number, first: unknown): Promise<void> {
    const { report, poison } = this.#settings;
    const retries = poison.retries ?? 3;
    const name = this.perspective.name;
    const event = events.length === 1 ? events[0] : undefined;
    const about = event === undefined ? {} : { event };
    let error = first;
    for (let attempt = 0; attempt < retries; attempt++) {
      report({ source: 'perspective', name, error, ...about, outcome: 'retrying' });
      await sleep((poison.backoffMs ?? 100) * 2 ** attempt);
      try {
        return await this.#transaction(events, upTo);
      } catch (again) {
        error = again;
      }
    }
    // only an apply that fails (HANDLER_FAILED) is the event's fault; a store that fails is not
    if (
      poison.afterRetries !== 'park' ||
      event === undefined ||
      !isWhizbangError(error, 'HANDLER_FAILED')
    ) {
      throw error;
    }
    await this.#store.transaction((tx) => tx.setCheckpoint(name, upTo));
    report({ source: 'perspective', name, error, event, outcome: 'parked' });
  }

  /** Resolves once the perspective has applied everything up to `position`. */
  async waitFor(position: number): Promise<void> {
    if (this.#subscription === undefined)
      throw new WhizbangError('CLOSED', `Perspective "${this.perspective.name}" is stopped.`);
    if (this.#error !== undefined) throw this.#error;
    const subscription = await this.#subscription;
    if (this.#error !== undefined || subscription === undefined) throw this.#error;
    await subscription.waitFor(position);
  }

  async stop(): Promise<void> {
    const subscription = this.#subscription;
    this.#subscription = undefined;
    if (subscription) await (await subscription)?.stop();
  }
}
