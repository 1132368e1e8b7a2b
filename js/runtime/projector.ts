/**
 * Runs async perspectives: a subscription from the checkpoint, one transaction per batch. A batch
 * that fails is applied again one event at a time; an event whose `apply` keeps failing (a poison
 * event) is retried with backoff, then parked (skipped, with a report) or stops the perspective,
 * as the app chose. Every failure is reported; none escapes as an unhandled rejection.
 *
 * Where the store can hold a checkpoint (`StoreWriter.checkpoint`), each transaction first checks
 * that the checkpoint is still where this runner left it: when another instance moved it (a lease
 * taken over), the batch is dropped unwritten and the runner starts again from the new checkpoint.
 */

import type { Ledger, RecordedEvent } from '../contracts/ledger.ts';
import type { BackgroundFailure } from '../contracts/observer.ts';
import type { PerspectiveStore, StoreWriter } from '../contracts/store.ts';
import type { Perspective } from '../definitions/perspective.ts';
import { isWhizbangError, WhizbangError } from '../util/errors.ts';
import { chain, type MaybePromise } from '../util/maybe.ts';
import { sleep } from '../util/timers.ts';
import type { Changes } from './changes.ts';
import { checkpointOf, checkpointWriter, type Partition, partitionOf } from './partition.ts';
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
  /**
   * True when several instances share the perspectives (a coordinator starts and stops them):
   * while one is not running here, waiting for it follows its stored checkpoint.
   */
  readonly shared?: boolean;
}

/** How often a wait for a perspective running in another instance reads its checkpoint, ms. */
const SHARED_POLL_MS = 50;

/** One async perspective's runner. */
export class Projector {
  readonly perspective: Perspective;
  readonly #ledger: Ledger;
  readonly #store: PerspectiveStore;
  readonly #settings: ProjectorSettings;
  #subscription: Promise<Subscription | undefined> | undefined;
  #error: unknown;
  /** The checkpoint as this runner last wrote (or read) it. */
  #at = 0;
  /** Where its checkpoint is kept: the perspective's name, or its partition's. */
  readonly checkpoint: string;

  constructor(
    ledger: Ledger,
    store: PerspectiveStore,
    perspective: Perspective,
    settings: ProjectorSettings,
    partition?: Partition,
  ) {
    this.#ledger = ledger;
    this.#store = store;
    this.perspective = partition === undefined ? perspective : partitionOf(perspective, partition);
    this.checkpoint = checkpointOf(perspective.name, partition);
    this.#settings = settings;
  }

  /** Starts from the stored checkpoint; a failure to start is reported, never unhandled. */
  start(): void {
    const store = this.#store;
    const p = this.perspective;
    this.#error = undefined;
    const subscription = Promise.resolve()
      .then(() => store.checkpoint(this.checkpoint))
      .then((checkpoint) => {
        this.#at = checkpoint;
        return subscribeBatches(this.#ledger, (events, through) => this.#apply(events, through), {
          from: checkpoint + 1,
          types: [...p.types],
          onError: (error) => this.#stopped(error, subscription),
        });
      })
      .catch((error: unknown) => {
        this.#stopped(error, subscription);
        return undefined;
      });
    this.#subscription = subscription;
  }

  /** True while started (and not stopped since). */
  get running(): boolean {
    return this.#subscription !== undefined;
  }

  #stopped(error: unknown, subscription: Promise<Subscription | undefined>): void {
    if (isWhizbangError(error, 'LEASE_LOST')) {
      // another instance moved the checkpoint: start again from where it is now (unless stopped)
      if (this.#subscription === subscription) this.start();
      return;
    }
    this.#error = error;
    this.#settings.report({
      source: 'perspective',
      name: this.perspective.name,
      error,
      outcome: 'stopped',
    });
  }

  /** Fails with LEASE_LOST when another instance moved the checkpoint since this runner did. */
  #fenced(on: StoreWriter, work: (tx: StoreWriter) => MaybePromise<void>): MaybePromise<void> {
    const name = this.perspective.name;
    const tx = checkpointWriter(on, name, this.checkpoint);
    if (tx.checkpoint === undefined) return work(tx);
    const expected = this.#at;
    return chain(tx.checkpoint(name), (found) => {
      if (found !== expected) {
        throw new WhizbangError(
          'LEASE_LOST',
          `Perspective "${name}" was moved to position ${found} by another instance while this one expected ${expected}; nothing of this batch was written, and it resumes from ${found}.`,
        );
      }
      return work(tx);
    });
  }

  async #transaction(events: readonly RecordedEvent[], through: number): Promise<void> {
    const p = this.perspective;
    const changes = this.#settings.changes;
    const recorder = changes?.recorder([p]);
    if (recorder === undefined) {
      await this.#store.transaction((tx) =>
        this.#fenced(tx, (w) => applyEvents([p], events, w, through)),
      );
    } else {
      await this.#store.transaction((tx) =>
        this.#fenced(tx, (w) => applyEvents([p], events, recorder.writer(w), through)),
      );
      changes!.committed(recorder);
    }
    this.#at = through;
  }

  /** One batch; when it fails, its events one at a time, to find the one to blame. */
  async #apply(events: readonly RecordedEvent[], through: number): Promise<void> {
    try {
      return await this.#transaction(events, through);
    } catch (error) {
      if (isWhizbangError(error, 'LEASE_LOST')) throw error;
      if (events.length <= 1) return this.#retry(events, through, error);
    }
    for (let i = 0; i < events.length; i++) {
      const upTo = i === events.length - 1 ? through : events[i]!.position;
      try {
        await this.#transaction([events[i]!], upTo);
      } catch (error) {
        if (isWhizbangError(error, 'LEASE_LOST')) throw error;
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
        if (isWhizbangError(again, 'LEASE_LOST')) throw again;
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
    await this.#store.transaction((tx) => this.#fenced(tx, (w) => w.setCheckpoint(name, upTo)));
    this.#at = upTo;
    report({ source: 'perspective', name, error, event, outcome: 'parked' });
  }

  /**
   * Resolves once the perspective has applied everything up to `position`: here, or (when the
   * perspective is shared by several instances and runs elsewhere) by its stored checkpoint.
   */
  async waitFor(position: number): Promise<void> {
    for (;;) {
      const running = this.#subscription;
      if (running === undefined) {
        if (this.#settings.shared !== true)
          throw new WhizbangError('CLOSED', `Perspective "${this.perspective.name}" is stopped.`);
        if ((await this.#store.checkpoint(this.checkpoint)) >= position) return;
        await sleep(SHARED_POLL_MS);
        continue;
      }
      if (this.#error !== undefined) throw this.#error;
      const subscription = await running;
      if (this.#error !== undefined) throw this.#error;
      try {
        if (subscription !== undefined) return await subscription.waitFor(position);
      } catch (error) {
        // stopped here (the lease moved) or restarted from another instance's checkpoint: look again
        const shared = this.#settings.shared === true;
        const moved =
          isWhizbangError(error, 'LEASE_LOST') || (shared && isWhizbangError(error, 'CLOSED'));
        if (!moved) throw error;
      }
      if (this.#subscription === running) await sleep(SHARED_POLL_MS);
    }
  }

  async stop(): Promise<void> {
    const subscription = this.#subscription;
    this.#subscription = undefined;
    if (subscription) await (await subscription)?.stop();
  }
}
