/**
 * Folded stream state kept between commands, so a stateful receptor reads only the events it has
 * not folded yet. Bounded: the oldest entries go first once `capacity` is reached.
 */
import type { Ledger, RecordedEvent } from '../ledger.ts';
import { chain, type MaybePromise } from '../maybe.ts';
import type { StateDefinition } from '../receptor.ts';

/** A stream's state as of a version. */
export interface Folded {
  readonly version: number;
  readonly state: unknown;
}

/** Caches folded state per state definition, tenant and stream. */
export class StateCache {
  readonly #byDefinition = new Map<StateDefinition, Map<string, Folded>>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  #entries(definition: StateDefinition): Map<string, Folded> {
    let entries = this.#byDefinition.get(definition);
    if (entries === undefined) {
      entries = new Map();
      this.#byDefinition.set(definition, entries);
    }
    return entries;
  }

  /** Loads the current state of a stream: from the cache, topped up with newer events, or folded anew. */
  load(
    ledger: Ledger,
    definition: StateDefinition,
    tenant: string,
    streamId: string,
  ): MaybePromise<Folded> {
    const key = `${tenant}\u0000${streamId}`;
    const entries = this.#entries(definition);
    return chain(ledger.streamVersion(streamId, { tenant }), (current) => {
      const cached = entries.get(key);
      if (cached !== undefined && cached.version === current) return cached;
      const base =
        cached !== undefined && cached.version < current
          ? cached
          : { version: 0, state: definition.initial() };
      if (current === 0) return base;
      return chain(ledger.readStream(streamId, { tenant, from: base.version + 1 }), (events) => {
        const folded = StateCache.fold(definition, base, events);
        this.#put(entries, key, folded);
        return folded;
      });
    });
  }

  /** Records the state after an append of `events` decided on `base`. */
  advance(
    definition: StateDefinition,
    tenant: string,
    streamId: string,
    base: Folded,
    events: readonly RecordedEvent[],
  ): void {
    this.#put(
      this.#entries(definition),
      `${tenant}\u0000${streamId}`,
      StateCache.fold(definition, base, events),
    );
  }

  /** Forgets a stream (after a conflict). */
  forget(definition: StateDefinition, tenant: string, streamId: string): void {
    this.#byDefinition.get(definition)?.delete(`${tenant}\u0000${streamId}`);
  }

  #put(entries: Map<string, Folded>, key: string, folded: Folded): void {
    if (this.#capacity === 0) return;
    if (entries.size >= this.#capacity && !entries.has(key)) {
      entries.delete(entries.keys().next().value!);
    }
    entries.set(key, folded);
  }

  static fold(definition: StateDefinition, base: Folded, events: readonly RecordedEvent[]): Folded {
    let state = base.state;
    let version = base.version;
    for (const event of events) {
      state = definition.evolve(state, event);
      version = event.version;
    }
    return { version, state };
  }
}
