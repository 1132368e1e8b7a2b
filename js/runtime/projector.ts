/** Runs async perspectives: a subscription from the checkpoint, one transaction per batch. */

import type { Ledger } from '../contracts/ledger.ts';
import type { PerspectiveStore } from '../contracts/store.ts';
import type { Perspective } from '../definitions/perspective.ts';
import { WhizbangError } from '../util/errors.ts';
import { chain } from '../util/maybe.ts';
import type { Changes } from './changes.ts';
import { applyEvents } from './project.ts';
import { type Subscription, subscribeBatches } from './subscription.ts';

/** One async perspective's runner. */
export class Projector {
  readonly perspective: Perspective;
  readonly #ledger: Ledger;
  readonly #store: PerspectiveStore;
  #subscription: Promise<Subscription> | undefined;
  #error: unknown;
  readonly #changes: Changes | undefined;

  constructor(
    ledger: Ledger,
    store: PerspectiveStore,
    perspective: Perspective,
    changes?: Changes,
  ) {
    this.#ledger = ledger;
    this.#store = store;
    this.perspective = perspective;
    this.#changes = changes;
  }

  /** Starts from the stored checkpoint. */
  start(): void {
    const store = this.#store;
    const ledger = this.#ledger;
    const p = this.perspective;
    this.#error = undefined;
    this.#subscription = Promise.resolve(store.checkpoint(p.name)).then((checkpoint) =>
      subscribeBatches(
        ledger,
        (events, through) => {
          const recorder = this.#changes?.recorder([p]);
          if (recorder === undefined)
            return store.transaction((tx) => applyEvents([p], events, tx, through));
          return chain(
            store.transaction((tx) => applyEvents([p], events, recorder.writer(tx), through)),
            () => this.#changes!.committed(recorder),
          );
        },
        {
          from: checkpoint + 1,
          types: [...p.types],
          onError: (error) => {
            this.#error = error;
          },
        },
      ),
    );
  }

  /** Resolves once the perspective has applied everything up to `position`. */
  async waitFor(position: number): Promise<void> {
    if (this.#subscription === undefined)
      throw new WhizbangError('CLOSED', `Perspective "${this.perspective.name}" is stopped.`);
    if (this.#error !== undefined) throw this.#error;
    await (await this.#subscription).waitFor(position);
  }

  async stop(): Promise<void> {
    const subscription = this.#subscription;
    this.#subscription = undefined;
    if (subscription) await (await subscription).stop();
  }
}
