/**
 * Handling a message from another process once: the inbox remembers its id, in the same
 * transaction as its first append (or on its own when it appended nothing), so a redelivery finds
 * it handled. Used by `listen` for commands and events, and by the answering side of remote invoke.
 */
import type { PerspectiveStore } from '../contracts/store.ts';
import type { WireEnvelope } from '../contracts/transport.ts';
import { chain, type MaybePromise } from '../util/maybe.ts';
import { Flow } from './flow.ts';
import { noOutbox } from './wire.ts';

/** What {@link Inbox.once} resolves to when the message was handled before. */
export const HANDLED_BEFORE: unique symbol = Symbol('handled before');

/** The inbox of one app. */
export class Inbox {
  readonly #store: PerspectiveStore;
  readonly #driver: string;

  constructor(store: PerspectiveStore, driver: string) {
    this.#store = store;
    this.#driver = driver;
  }

  /**
   * Runs `handle` for `wire` unless the inbox has it, with a flow whose first append marks it
   * handled. A store that refuses to mark it twice (another delivery won the race) fails with
   * `DUPLICATE_MESSAGE`.
   */
  once<T>(
    wire: WireEnvelope,
    handle: (flow: Flow) => MaybePromise<T>,
  ): MaybePromise<T | typeof HANDLED_BEFORE> {
    const outbox = this.#store.outbox;
    if (outbox === undefined) throw noOutbox(this.#driver);
    const { tenant, messageId } = wire;
    return chain(outbox.handled(tenant, messageId), (seen) => {
      if (seen) return HANDLED_BEFORE;
      const flow = new Flow((_, tx) => {
        if (tx.outbox === undefined) throw noOutbox(this.#driver);
        return tx.outbox.markHandled(tenant, messageId);
      });
      return chain(handle(flow), (result) => {
        const mark = flow.once;
        if (mark === undefined) return result; // marked with the first append
        return chain(
          this.#store.transaction((tx) => mark([], tx)),
          () => result,
        );
      });
    });
  }
}
