/**
 * Handling a message once — its whole effect. The inbox remembers the message's id in the
 * transaction of its first append (or on its own when it appended nothing, once all it sent was
 * handled). What follows that append (the commands its receptor returned, its events' handlers, a
 * copy to the outbox) is kept with the mark as the message's `rest` until it is done, so a
 * redelivery after a failure half way finishes it instead of skipping it. Every message sent on
 * the way gets an id made from the message's own and is handled once in turn, so what was done is
 * not done twice. Used by `listen` for commands and events, by the answering side of remote
 * invoke, and by `send` with a message id of its own.
 */
import type { RecordedEvent } from '../contracts/ledger.ts';
import type { PerspectiveStore } from '../contracts/store.ts';
import type { Envelope } from '../messages/envelope.ts';
import type { Message } from '../messages/message.ts';
import { chain, type MaybePromise } from '../util/maybe.ts';
import { Flow, type InTransaction, type Step } from './flow.ts';
import { noOutbox } from './wire.ts';

/** What {@link Inbox.once} resolves to when the message was handled before. */
export const HANDLED_BEFORE: unique symbol = Symbol('handled before');

/** What is left of a handling after its first append, as the inbox keeps it (JSON). */
export interface Rest {
  /** The commands the message's receptor returned. */
  readonly commands: readonly Message[];
  /** Where its events are (their handlers react to them), when it appended any. */
  readonly stream?: string;
  readonly from?: number;
  readonly to?: number;
}

/** What an inbox needs of the dispatcher: whether anything follows an append, and doing it. */
export interface Continuation {
  /** Whether anything follows the append of `recorded` by `envelope`'s handling (besides `commands`). */
  follows(envelope: Envelope, recorded: readonly RecordedEvent[]): boolean;
  /** Does what `rest` says is left of `envelope`'s handling, in `flow`. */
  resume(rest: Rest, envelope: Envelope, flow: Flow): MaybePromise<void>;
}

/** One message handled once: the ids it gives what it sends, and whether its mark has a rest. */
class InboxStep implements Step {
  readonly id: string;
  readonly flow: Flow;
  /** The mark was written with a rest that is still to be finished. */
  unfinished = false;
  readonly #inbox: Inbox;
  #sent = 0;

  constructor(inbox: Inbox, id: string, parent: Flow | undefined, once: InTransaction | undefined) {
    this.#inbox = inbox;
    this.id = id;
    this.flow = new Flow(once, false, parent, this);
  }

  nextId(): string {
    return `${this.id}.${this.#sent++}`;
  }

  run(
    key: string,
    envelope: Envelope,
    work: (flow: Flow) => MaybePromise<unknown>,
  ): MaybePromise<unknown> {
    return this.#inbox.once(key, envelope, work, this.flow);
  }
}

/** The inbox of one app. */
export class Inbox {
  readonly #store: PerspectiveStore;
  readonly #driver: string;
  readonly #continuation: Continuation;

  constructor(store: PerspectiveStore, driver: string, continuation: Continuation) {
    this.#store = store;
    this.#driver = driver;
    this.#continuation = continuation;
  }

  /** Whether the store keeps an inbox. */
  get kept(): boolean {
    return this.#store.outbox !== undefined;
  }

  /**
   * Runs `handle` for `envelope` unless the inbox has `key` (its message id), with a flow whose
   * first append marks it handled; finishes what a handling before left. A store that refuses to
   * mark it twice (another delivery won the race) fails with `DUPLICATE_MESSAGE`.
   */
  once<T>(
    key: string,
    envelope: Envelope,
    handle: (flow: Flow) => MaybePromise<T>,
    parent?: Flow,
  ): MaybePromise<T | typeof HANDLED_BEFORE> {
    const outbox = this.#store.outbox;
    if (outbox === undefined) throw noOutbox(this.#driver);
    const tenant = envelope.tenant;
    return chain(outbox.handled(tenant, key), (seen) => {
      if (seen) return this.#finish(key, envelope, parent);
      const step: InboxStep = new InboxStep(this, key, parent, (recorded, tx) => {
        if (tx.outbox === undefined) throw noOutbox(this.#driver);
        const rest = this.#restOf(envelope, step.flow, recorded);
        step.unfinished = rest !== undefined;
        return tx.outbox.markHandled(tenant, key, rest);
      });
      return chain(handle(step.flow), (result) => chain(this.#close(step, tenant), () => result));
    });
  }

  /** After the handling: the mark when nothing was appended, or the rest forgotten. */
  #close(step: InboxStep, tenant: string): MaybePromise<void> {
    const mark = step.flow.once;
    if (mark !== undefined) return this.#store.transaction((tx) => mark([], tx));
    if (!step.unfinished) return;
    return this.#store.transaction((tx) => tx.outbox?.markFinished(tenant, step.id));
  }

  /** A message handled before: whatever its rest says is left is done now. */
  #finish(
    key: string,
    envelope: Envelope,
    parent: Flow | undefined,
  ): MaybePromise<typeof HANDLED_BEFORE> {
    const tenant = envelope.tenant;
    return chain(this.#store.outbox!.unfinished(tenant, key), (rest) => {
      if (rest === undefined) return HANDLED_BEFORE;
      const step = new InboxStep(this, key, parent, undefined);
      return chain(this.#continuation.resume(rest as Rest, envelope, step.flow), () =>
        chain(
          this.#store.transaction((tx) => tx.outbox?.markFinished(tenant, key)),
          () => HANDLED_BEFORE,
        ),
      );
    });
  }

  /** The rest to keep with the mark of an append, or undefined when nothing follows it. */
  #restOf(envelope: Envelope, flow: Flow, recorded: readonly RecordedEvent[]): Rest | undefined {
    const commands = flow.commands;
    if (commands.length === 0 && !this.#continuation.follows(envelope, recorded)) return undefined;
    const first = recorded[0];
    const last = recorded[recorded.length - 1];
    if (first === undefined || last === undefined) return { commands };
    return { commands, stream: first.streamId, from: first.version, to: last.version };
  }
}
