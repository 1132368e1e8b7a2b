/**
 * Where the log and each stream will end once this process's publishes in flight land: appends
 * are pipelined, each published expecting the sequence the one before it will get. The server's
 * expectation headers keep the predictions honest; a wrong one only costs a retry.
 */

import type { LedgerLog, Tail } from './log.ts';

/** One append's claim on the predicted tails, from its publish until it settles. */
export interface Claim {
  readonly subject: string;
  /** The predictions it was made against: a later forget() makes it stale. */
  readonly epoch: number;
  /** The tails before it, put back when its inline work fails alone. */
  readonly log: Tail;
  readonly state: Tail;
  /** Ends its exclusive hold (an append with inline work runs alone). */
  readonly release: (() => void) | undefined;
}

/** The predicted tails of the log and its streams, with the publishes in flight. */
export class Predictions {
  readonly #log: LedgerLog;
  #tail: Tail | undefined;
  #tailLoad: Promise<Tail> | undefined;
  readonly #streams = new Map<string, Tail>();
  #epoch = 0;
  #inFlight = 0;
  #idle: Array<() => void> = [];
  #exclusive: Promise<void> | undefined;

  constructor(log: LedgerLog) {
    this.#log = log;
  }

  /** Settles when the append holding the log alone does; undefined when none does. */
  get exclusive(): Promise<void> | undefined {
    return this.#exclusive;
  }

  /** The log's predicted tail, when one is known. */
  get tail(): Tail | undefined {
    return this.#tail;
  }

  /** A stream's predicted tail, when one is known. */
  stream(subject: string): Tail | undefined {
    return this.#streams.get(subject);
  }

  /** Reads a stream's tail from the server and keeps it, unless a prediction came in meanwhile. */
  async loadStream(subject: string): Promise<Tail> {
    const loaded = await this.#log.loadStream(subject);
    const state = this.#streams.get(subject) ?? loaded;
    this.#streams.set(subject, state);
    return state;
  }

  /** Reads the log's tail from the server (once for every caller waiting) and keeps it. */
  async loadTail(): Promise<void> {
    this.#tailLoad ??= this.#log.loadTail();
    const loaded = await this.#tailLoad;
    this.#tail ??= loaded;
    this.#tailLoad = undefined;
  }

  /** Settles when no publish is in flight. */
  settled(): Promise<void> {
    return this.#inFlight === 0
      ? Promise.resolve()
      : new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Drops every prediction: the next append reads the server. */
  forget(): void {
    this.#epoch++;
    this.#tail = undefined;
    this.#tailLoad = undefined;
    this.#streams.clear();
  }

  /**
   * Moves the tails past `count` events of commit `id` about to be published; `exclusive` holds
   * the log alone. The predicted tails name the commit, so that the next publish expects exactly
   * it before itself (a refused commit's place taken by another writer's fails the expectation).
   */
  claim(
    subject: string,
    log: Tail,
    state: Tail,
    count: number,
    exclusive: boolean,
    id: string,
  ): Claim {
    this.#tail = { seq: log.seq + 1, last: log.last + count, id, predicted: true };
    this.#streams.set(subject, { seq: log.seq + 1, last: state.last + count, id, predicted: true });
    this.#inFlight++;
    let release: (() => void) | undefined;
    if (exclusive) this.#exclusive = new Promise((resolve) => (release = resolve));
    return { subject, epoch: this.#epoch, log, state, release };
  }

  /** The server refused the claim's expectation: its predictions, if still current, are wrong. */
  refused(claim: Claim): void {
    if (claim.epoch === this.#epoch) this.forget();
  }

  /**
   * The claim failed before or while publishing. Inline work that failed alone published
   * nothing, so the tails go back; otherwise the outcome is unknown and everything is read again.
   */
  failed(claim: Claim): void {
    if (claim.epoch !== this.#epoch) return;
    if (claim.release !== undefined && this.#inFlight === 1) {
      this.#tail = claim.log;
      this.#streams.set(claim.subject, claim.state);
    } else this.forget();
  }

  /** The claim settled, either way: wakes those waiting for quiet and ends its exclusive hold. */
  done(claim: Claim): void {
    if (--this.#inFlight === 0) {
      const waiting = this.#idle;
      this.#idle = [];
      for (const wake of waiting) wake();
    }
    if (claim.release !== undefined) {
      this.#exclusive = undefined;
      claim.release();
    }
  }
}
