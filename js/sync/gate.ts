/**
 * Local appends and sync's critical sections take turns on a replica: while a round reads the
 * pending commits and local versions of a page and writes what it decided, local appends wait
 * (briefly); the round waits for local appends under way. A round thus sees one consistent view
 * while local commands keep arriving, and never cuts a commit it did not see.
 */
import type { MaybePromise } from '../util/maybe.ts';

/** The turn-taking of one replica. */
export class Gate {
  #active = 0;
  #held: Promise<void> | undefined;
  #drained: Array<() => void> = [];

  /** Runs a local append, after any critical section under way. */
  local<T>(work: () => MaybePromise<T>): MaybePromise<T> {
    if (this.#held !== undefined) return this.#held.then(() => this.local(work));
    this.#active++;
    let result: MaybePromise<T>;
    try {
      result = work();
    } catch (error) {
      this.#leave();
      throw error;
    }
    if (result instanceof Promise) return result.finally(() => this.#leave());
    this.#leave();
    return result;
  }

  /** Runs `work` with no local append under way or starting. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.#held !== undefined) await this.#held;
    let release!: () => void;
    this.#held = new Promise<void>((resolve) => (release = resolve));
    try {
      if (this.#active > 0) await new Promise<void>((resolve) => this.#drained.push(resolve));
      return await work();
    } finally {
      this.#held = undefined;
      release();
    }
  }

  #leave(): void {
    if (--this.#active > 0) return;
    const waiting = this.#drained;
    this.#drained = [];
    for (const wake of waiting) wake();
  }
}
