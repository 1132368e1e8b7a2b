/**
 * Local appends and sync's critical sections take turns on a replica: while a round reads the
 * pending commits and local versions of a page and writes what it decided, local appends wait
 * (briefly); the round waits for local appends under way. A round thus sees one consistent view
 * while local commands keep arriving, and never cuts a commit it did not see.
 */
import type { MaybePromise } from '../util/maybe.ts';

/** How long after a stream's tail was replaced a decision taken before may still come to append. */
const FENCE_MS = 10_000;

/** The turn-taking of one replica. */
export class Gate {
  /** Per stream: when sync last replaced its tail, and the commands refused once since. */
  readonly #rewinds = new Map<string, { at: number; refused: Set<string> }>();
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

  /** Sync replaced the tail of a stream (`tenant\u0000streamId`). */
  rewound(key: string): void {
    this.#rewinds.set(key, { at: Date.now(), refused: new Set() });
  }

  /**
   * Whether a command's append to a stream must be decided again: its stream's tail was replaced
   * lately, so the decision may have been taken on the state before, whose version the new tail
   * can have again. Each command is refused once per replacement; its retry reads the new state.
   */
  stale(key: string, commandId: string): boolean {
    const rewind = this.#rewinds.get(key);
    if (rewind === undefined) return false;
    if (Date.now() - rewind.at > FENCE_MS) {
      this.#rewinds.delete(key);
      return false;
    }
    if (rewind.refused.has(commandId)) return false;
    rewind.refused.add(commandId);
    return true;
  }

  /** A command is decided now, on the stream's current state (sync's rebase): never refused for it. */
  deciding(key: string, commandId: string): void {
    this.#rewinds.get(key)?.refused.add(commandId);
  }

  #leave(): void {
    if (--this.#active > 0) return;
    const waiting = this.#drained;
    this.#drained = [];
    for (const wake of waiting) wake();
  }
}
