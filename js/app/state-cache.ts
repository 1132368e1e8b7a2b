/**
 * Folded stream state kept between commands, so a stateful receptor reads only the events it has
 * not folded yet. Bounded per state definition and tenant: the oldest entries go first.
 */
import type { Ledger, RecordedEvent } from '../ledger.ts';
import { isThenable, type MaybePromise } from '../maybe.ts';
import type { StateDefinition } from '../receptor.ts';
import type { SnapshotStore } from '../snapshot.ts';

/** A stream's state as of a version. */
export interface Folded {
  readonly version: number;
  readonly state: unknown;
}

type Streams = Map<string, Folded>;

/** Caches folded state per state definition, tenant and stream. */
export class StateCache {
  readonly #byDefinition = new Map<StateDefinition, Map<string, Streams>>();
  readonly #capacity: number;

  constructor(capacity: number, _snapshots?: { store: SnapshotStore | undefined; every: number }) {
    this.#capacity = capacity;
  }

  #streams(definition: StateDefinition, tenant: string): Streams {
    let tenants = this.#byDefinition.get(definition);
    if (tenants === undefined) {
      tenants = new Map();
      this.#byDefinition.set(definition, tenants);
    }
    let streams = tenants.get(tenant);
    if (streams === undefined) {
      streams = new Map();
      tenants.set(tenant, streams);
    }
    return streams;
  }

  /** Loads the current state of a stream: from the cache, topped up with newer events, or folded anew. */
  load(
    ledger: Ledger,
    definition: StateDefinition,
    tenant: string,
    streamId: string,
  ): MaybePromise<Folded> {
    const streams = this.#streams(definition, tenant);
    const current = ledger.streamVersion(streamId, { tenant });
    return isThenable<number>(current)
      ? Promise.resolve(current).then((v) =>
          this.#topUp(ledger, definition, streams, tenant, streamId, v),
        )
      : this.#topUp(ledger, definition, streams, tenant, streamId, current);
  }

  #topUp(
    ledger: Ledger,
    definition: StateDefinition,
    streams: Streams,
    tenant: string,
    streamId: string,
    current: number,
  ): MaybePromise<Folded> {
    const cached = streams.get(streamId);
    if (cached !== undefined && cached.version === current) return cached;
    const base =
      cached !== undefined && cached.version < current
        ? cached
        : { version: 0, state: definition.initial() };
    if (current === 0) return base;
    const events = ledger.readStream(streamId, { tenant, from: base.version + 1 });
    const fold = (list: RecordedEvent[]): Folded => {
      const folded = StateCache.fold(definition, base, list);
      this.#put(streams, streamId, folded);
      return folded;
    };
    return isThenable<RecordedEvent[]>(events) ? Promise.resolve(events).then(fold) : fold(events);
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
      this.#streams(definition, tenant),
      streamId,
      StateCache.fold(definition, base, events),
    );
  }

  /** Forgets a stream (after a conflict). */
  forget(definition: StateDefinition, tenant: string, streamId: string): void {
    this.#byDefinition.get(definition)?.get(tenant)?.delete(streamId);
  }

  #put(streams: Streams, streamId: string, folded: Folded): void {
    if (this.#capacity === 0) return;
    if (streams.size >= this.#capacity && !streams.has(streamId)) {
      streams.delete(streams.keys().next().value!);
    }
    streams.set(streamId, folded);
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
