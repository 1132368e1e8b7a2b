/**
 * Group commit: work items that arrive while a batch is being written wait and go together in the
 * next batch, so many concurrent appends share one transaction (one round trip, one flush to disk)
 * instead of queueing for one each. A lone item waits only a microtask. The driver's `flush` writes
 * a batch and answers each item on its own: one item's failure is its own.
 */

/** How one item of a batch came out. */
export type Settled<R> =
  | { readonly ok: true; readonly value: R }
  | { readonly ok: false; readonly error: unknown };

/** Writes a batch, in order; answers one {@link Settled} per item, in the same order. */
export type FlushBatch<T, R> = (items: readonly T[]) => Promise<readonly Settled<R>[]>;

/** How a {@link Gatherer} batches. */
export interface GatherOptions {
  /** The most items in one batch (default 256). */
  readonly maxBatch?: number;
  /**
   * How many batches may be in flight at once (default 1). Two let the next batch travel to the
   * server while the one before commits; the driver keeps their order (a lock held to commit).
   */
  readonly inFlight?: number;
}

interface Waiting<T, R> {
  readonly item: T;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
}

/** Gathers concurrent items into batches for `flush`. */
export class Gatherer<T, R> {
  readonly #flush: FlushBatch<T, R>;
  readonly #maxBatch: number;
  readonly #inFlight: number;
  #queue: Waiting<T, R>[] = [];
  #running = 0;
  #scheduled = false;

  /** Batches for `flush`, as `options` say. */
  constructor(flush: FlushBatch<T, R>, options: GatherOptions = {}) {
    this.#flush = flush;
    this.#maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 256));
    this.#inFlight = Math.max(1, Math.floor(options.inFlight ?? 1));
  }

  /** How many items wait for a batch. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Adds `item` to the next batch; settles as its own part of that batch came out. */
  push(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (this.#scheduled || this.#running >= this.#inFlight) return;
      // a microtask: the items the same turn of the event loop makes go together
      this.#scheduled = true;
      void Promise.resolve().then(() => {
        this.#scheduled = false;
        this.#next();
      });
    });
  }

  #next(): void {
    while (this.#running < this.#inFlight && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.#running++;
      void this.#run(batch);
    }
  }

  async #run(batch: Waiting<T, R>[]): Promise<void> {
    try {
      const settled = await this.#flush(batch.map((w) => w.item));
      for (let i = 0; i < batch.length; i++) {
        const s = settled[i];
        if (s === undefined) batch[i]!.reject(new Error('group commit: no answer for an item'));
        else if (s.ok) batch[i]!.resolve(s.value);
        else batch[i]!.reject(s.error);
      }
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      this.#running--;
      this.#next();
    }
  }
}

/** Runs `work` and says how it came out, never throwing. */
export async function settle<R>(work: () => Promise<R> | R): Promise<Settled<R>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error };
  }
}
