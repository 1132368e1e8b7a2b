/**
 * Telling observers what each handled message did, after its step: the events it committed, or
 * the error it failed with (with the events its own step committed before a cascade failed).
 * Observers never change an outcome: what they throw goes to their `onError`.
 */
import type { RecordedEvent } from '../contracts/ledger.ts';
import type { Observer } from '../contracts/observer.ts';
import type { Envelope } from '../messages/envelope.ts';
import { isThenable, type MaybePromise } from '../util/maybe.ts';
import type { Outcome } from './flow.ts';

/** The observers of one app. */
export class Observation {
  readonly #observers: readonly Observer[];
  /** Events each observed step committed, for reporting a step whose cascade then failed. */
  readonly #committed = new WeakMap<Envelope, readonly RecordedEvent[]>();

  constructor(observers: readonly Observer[]) {
    this.#observers = observers;
  }

  /** Whether anyone observes (when nobody does, nothing is recorded for them). */
  get active(): boolean {
    return this.#observers.length > 0;
  }

  /** A step of `envelope` committed `events` (its cascade has yet to run). */
  committed(envelope: Envelope, events: readonly RecordedEvent[]): void {
    this.#committed.set(envelope, events);
  }

  /** Runs `work` for `envelope` and tells every observer how it went. */
  observe(envelope: Envelope, work: () => MaybePromise<Outcome>): MaybePromise<Outcome> {
    let result: MaybePromise<Outcome>;
    try {
      result = work();
    } catch (error) {
      return this.#fail(envelope, error);
    }
    const done = (outcome: Outcome): Outcome => {
      this.#tell(envelope, outcome.append?.events ?? []);
      return outcome;
    };
    return isThenable<Outcome>(result)
      ? Promise.resolve(result).then(done, (error: unknown) => this.#fail(envelope, error))
      : done(result);
  }

  /** A step whose cascade failed still committed its own events: they are reported with the error. */
  #fail(envelope: Envelope, error: unknown): never {
    this.#tell(envelope, this.#committed.get(envelope) ?? [], error);
    throw error;
  }

  #tell(envelope: Envelope, events: readonly RecordedEvent[], error?: unknown): void {
    const dispatched = error === undefined ? { envelope, events } : { envelope, events, error };
    for (const observer of this.#observers) {
      try {
        observer.onDispatched?.(dispatched);
      } catch (thrown) {
        observer.onError?.(thrown);
      }
    }
  }
}
