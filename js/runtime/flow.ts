/** What one message's handling carries along (its flow, shared with its cascade) and what it produces. */
import type { AppendOptions, AppendResult } from '../contracts/ledger.ts';

/** Work that runs inside an append's transaction, with the events it recorded. */
export type InTransaction = NonNullable<AppendOptions['inTransaction']>;

/** Bookkeeping shared by one message and everything that cascades from it. */
export class Flow {
  #position = 0;
  #once: InTransaction | undefined;
  /** Nothing cascades from what is decided (a command decided again: its first decision did that). */
  readonly quiet: boolean;

  /**
   * @param once runs in the transaction of the first append the flow makes (an incoming message's
   * inbox mark, or the pending commit a decision replaces); whoever made the flow runs it on its
   * own when nothing was appended.
   */
  constructor(once?: InTransaction, quiet = false) {
    this.#once = once;
    this.quiet = quiet;
  }

  /** The newest global position written by the message and its cascade so far (0 when none). */
  get position(): number {
    return this.#position;
  }

  /** Work for the next append's transaction; undefined once it was committed. */
  get once(): InTransaction | undefined {
    return this.#once;
  }

  /** An append of this flow committed at `position` (with the once-work, when there was some). */
  committed(position: number): void {
    if (position > this.#position) this.#position = position;
    this.#once = undefined;
  }
}

/** What one message's handling produced. */
export interface Outcome {
  /** What the receptor returned as its value (a reply), if anything. */
  readonly value: unknown;
  /** What the append did, when events were appended. */
  readonly append: AppendResult | undefined;
  /** Written to the outbox rather than handled here. */
  readonly queued?: boolean;
}

/** The outcome of a command written to the outbox for another process. */
export const QUEUED: Outcome = Object.freeze({ value: undefined, append: undefined, queued: true });
