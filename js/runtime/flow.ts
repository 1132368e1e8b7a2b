/** What one message's handling carries along (its flow, shared with its cascade) and what it produces. */
import type { AppendOptions, AppendResult } from '../contracts/ledger.ts';
import type { Envelope } from '../messages/envelope.ts';
import type { Message } from '../messages/message.ts';
import type { MaybePromise } from '../util/maybe.ts';

/** Work that runs inside an append's transaction, with the events it recorded. */
export type InTransaction = NonNullable<AppendOptions['inTransaction']>;

/**
 * A message handled once (from a transport, or sent with an id of its own): the inbox step its
 * flow belongs to. What it sends gets ids made from its own, the same on every run of its
 * handling, and each is handled once too: a handling that stopped half way is finished by the
 * next delivery without doing twice what was done.
 */
export interface Step {
  readonly id: string;
  /** The id of the next message this one sends. */
  nextId(): string;
  /**
   * Runs `work` for `envelope` (sent by this message) once under inbox key `key`, in a flow of its
   * own whose positions reach this one's; nothing when it was done before.
   */
  run(
    key: string,
    envelope: Envelope,
    work: (flow: Flow) => MaybePromise<unknown>,
  ): MaybePromise<unknown>;
}

const NO_MESSAGES: readonly Message[] = [];

/** Bookkeeping shared by one message and everything that cascades from it. */
export class Flow {
  #position = 0;
  #once: InTransaction | undefined;
  #commands: readonly Message[] = NO_MESSAGES;
  readonly #parent: Flow | undefined;
  /** Nothing cascades from what is decided (a command decided again: its first decision did that). */
  readonly quiet: boolean;
  /** Present when the message is handled once: see {@link Step}. */
  readonly step: Step | undefined;

  /**
   * @param once runs in the transaction of the first append the flow makes (an incoming message's
   * inbox mark, or the pending commit a decision replaces); whoever made the flow runs it on its
   * own when nothing was appended.
   * @param parent the flow of the message that sent this one: positions reach it too.
   */
  constructor(once?: InTransaction, quiet = false, parent?: Flow, step?: Step) {
    this.#once = once;
    this.quiet = quiet;
    this.#parent = parent;
    this.step = step;
  }

  /** The newest global position written by the message and its cascade so far (0 when none). */
  get position(): number {
    return this.#position;
  }

  /** Work for the next append's transaction; undefined once it was committed. */
  get once(): InTransaction | undefined {
    return this.#once;
  }

  /** The commands the message's decision returned (kept only for a message handled once). */
  get commands(): readonly Message[] {
    return this.#commands;
  }

  /** The message was decided: its receptor returned `commands` besides its events. */
  decided(commands: readonly Message[]): void {
    if (this.step !== undefined) this.#commands = commands;
  }

  /** An append of this flow committed at `position` (with the once-work, when there was some). */
  committed(position: number): void {
    this.#once = undefined;
    this.reached(position);
  }

  /** Something in this flow's cascade wrote up to `position`. */
  reached(position: number): void {
    if (position > this.#position) this.#position = position;
    this.#parent?.reached(position);
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
  /** Handled before (the inbox had its id): nothing was done again. */
  readonly duplicate?: boolean;
}

/** The outcome of a command written to the outbox for another process. */
export const QUEUED: Outcome = Object.freeze({ value: undefined, append: undefined, queued: true });

/** The outcome of a message the inbox had handled before. */
export const DUPLICATE: Outcome = Object.freeze({
  value: undefined,
  append: undefined,
  duplicate: true,
});
