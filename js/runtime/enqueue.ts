/**
 * Routing a command out of the process: it is written to the outbox in a transaction of its own,
 * and whoever relays the outbox is told that something is waiting.
 */
import type { PerspectiveStore } from '../contracts/store.ts';
import { type Envelope, endHop, startHop } from '../messages/envelope.ts';
import { chain, type MaybePromise } from '../util/maybe.ts';
import { type Flow, type Outcome, QUEUED } from './flow.ts';
import { noOutbox, outboxRecord, wireEnvelope } from './wire.ts';

/** Writes commands to one app's outbox and wakes its relays. */
export class Enqueue {
  readonly #store: PerspectiveStore;
  readonly #driver: string;
  readonly #service: string;
  readonly #listeners = new Set<() => void>();

  constructor(store: PerspectiveStore, driver: string, service: string) {
    this.#store = store;
    this.#driver = driver;
    this.#service = service;
  }

  /**
   * Writes `envelope` to the outbox for `topic`; the relay delivers it. The flow's once-work (the
   * inbox mark of a message handled once) is written in the same transaction.
   */
  command(envelope: Envelope, topic: string, flow?: Flow): MaybePromise<Outcome> {
    const hop = startHop(envelope, 'outbox', this.#service);
    const record = outboxRecord(topic, wireEnvelope(envelope));
    const once = flow?.once;
    const written = this.#store.transaction((tx) => {
      if (tx.outbox === undefined) throw noOutbox(this.#driver);
      if (once === undefined) return tx.outbox.enqueue([record]);
      return chain(tx.outbox.enqueue([record]), () => once([], tx));
    });
    return chain(written, () => {
      if (once !== undefined) flow?.committed(0);
      endHop(hop);
      for (const listener of this.#listeners) listener();
      return QUEUED;
    });
  }

  /** Calls `listener` after each command written here; returns the unsubscribe. */
  onEnqueued(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}
