/**
 * The order of one process's appends to a stream. An append that names a version while an earlier
 * append to the same stream is still in flight depends on it: it is decided on the state that
 * earlier commit makes, so it lands only on a state that holds it, and fails when it fails —
 * never on another writer's commit at the same version.
 */

/** One append in flight on a stream, as the appends after it see it. */
export interface Ordered {
  /** Its commit id. */
  readonly id: string;
  /** Its outcome once settled: the sequence it landed at, or `false` when it failed. */
  outcome: number | false | undefined;
  /** Settles with it. */
  readonly settled: Promise<void>;
}

/** The last append in flight on each stream (by subject). */
export class Order {
  readonly #last = new Map<string, Ordered>();

  /** Enters an append; returns it and the append before it still in flight, if any. */
  enter(
    subject: string,
    id: string,
  ): { prior: Ordered | undefined; end: (outcome: number | false) => void } {
    const prior = this.#last.get(subject);
    let end!: () => void;
    const self: Ordered = {
      id,
      outcome: undefined,
      settled: new Promise<void>((resolve) => (end = resolve)),
    };
    this.#last.set(subject, self);
    return {
      prior,
      end: (outcome) => {
        self.outcome = outcome;
        if (this.#last.get(subject) === self) this.#last.delete(subject);
        end();
      },
    };
  }
}
