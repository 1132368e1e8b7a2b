/**
 * Folded stream state kept between commands, so a stateful receptor reads only the events it has
 * not folded yet. Bounded per state definition and tenant: the oldest entries go first.
 *
 * With a snapshot store and `every > 0`, a named state (`defineState({ name, … })`) is also
 * snapshotted: after an append (or a load) whose fold crossed a multiple of `every`, the state is
 * saved as of the new version, in the background; a save that fails never fails the command. On a
 * cache miss (or a cache entry at least `every` events behind) the newest snapshot is loaded and only
 * the events after it are folded. A snapshot is used only when its `schemaVersion` equals the state's
 * `version ?? 1`; one that fails to load or is not fit to use (beyond the stream's version, no
 * state, folding onto it throws) is ignored and the stream folded from its first event. States
 * without a name are never snapshotted; `every = 0` neither loads nor takes snapshots.
 */
import type { Ledger, RecordedEvent } from '../contracts/ledger.ts';
import type { Snapshot, SnapshotStore } from '../contracts/snapshot.ts';
import type { StateDefinition } from '../definitions/receptor.ts';
import { attempt, chain, isThenable, type MaybePromise } from '../util/maybe.ts';

/** A stream's state as of a version. */
export interface Folded {
  readonly version: number;
  readonly state: unknown;
}

/** A snapshot that could not be loaded or saved, or was not fit to use; the command went on without it. */
export interface SnapshotIssue {
  /** Whether loading or saving the snapshot failed. */
  readonly action: 'load' | 'save';
  /** The state definition's name. */
  readonly kind: string;
  /** The stream's tenant. */
  readonly tenant: string;
  /** The stream whose snapshot it was. */
  readonly streamId: string;
  /** What went wrong and what was done instead. */
  readonly message: string;
  /** What the snapshot store (or `evolve` on the snapshot's state) threw, when something threw. */
  readonly cause?: unknown;
}

/** How the cache uses snapshots. */
export interface StateCacheSnapshots {
  readonly store: SnapshotStore | undefined;
  /** Snapshot every this many events; 0 neither loads nor takes snapshots. */
  readonly every: number;
  /** Told of each snapshot that was ignored or not saved; what it throws is ignored. */
  readonly onSnapshotError?: ((issue: SnapshotIssue) => void) | undefined;
}

type Streams = Map<string, Folded>;

const reasonOf = (cause: unknown): string =>
  cause instanceof Error ? cause.message : String(cause);

/** Caches folded state per state definition, tenant and stream. */
export class StateCache {
  readonly #byDefinition = new Map<StateDefinition, Map<string, Streams>>();
  readonly #capacity: number;
  /** Set only when snapshots are on (a store and `every > 0`). */
  readonly #store: SnapshotStore | undefined;
  readonly #every: number;
  readonly #onIssue: ((issue: SnapshotIssue) => void) | undefined;
  readonly #saving = new Set<Promise<unknown>>();

  constructor(capacity: number, snapshots?: StateCacheSnapshots) {
    this.#capacity = capacity;
    const every = snapshots?.every ?? 0;
    this.#store = every > 0 ? snapshots?.store : undefined;
    this.#every = this.#store === undefined ? 0 : every;
    this.#onIssue = snapshots?.onSnapshotError;
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

  /** The name a state's snapshots are kept under; undefined when they are not taken. */
  #kind(definition: StateDefinition): string | undefined {
    if (this.#store === undefined) return undefined;
    const name = definition.name;
    return typeof name === 'string' && name.length > 0 ? name : undefined;
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
    const kind = this.#kind(definition);
    // Fewer than `every` events to fold: cheaper than asking the store for a snapshot.
    if (kind === undefined || current - base.version < this.#every) {
      return this.#fold(ledger, definition, streams, tenant, streamId, base, kind, false);
    }
    const store = this.#store!;
    const loaded = attempt<Snapshot | undefined>(
      () => store.load(kind, tenant, streamId),
      (cause) => {
        this.#report({
          action: 'load',
          kind,
          tenant,
          streamId,
          message: `${StateCache.#what(kind, tenant, streamId)} failed to load (${reasonOf(cause)}); the state was folded without it.`,
          cause,
        });
        return undefined;
      },
    );
    return chain(loaded, (snapshot) => {
      const trusted = this.#trusted(snapshot, definition, kind, tenant, streamId, current);
      return trusted !== undefined && trusted.version > base.version
        ? this.#fold(ledger, definition, streams, tenant, streamId, trusted, kind, true)
        : this.#fold(ledger, definition, streams, tenant, streamId, base, kind, false);
    });
  }

  /** Folds the events after `base` onto it, caches the result, and snapshots it when it crossed a multiple of `every`. */
  #fold(
    ledger: Ledger,
    definition: StateDefinition,
    streams: Streams,
    tenant: string,
    streamId: string,
    base: Folded,
    kind: string | undefined,
    fromSnapshot: boolean,
  ): MaybePromise<Folded> {
    const events = ledger.readStream(streamId, { tenant, from: base.version + 1 });
    return chain(events, (list: RecordedEvent[]): MaybePromise<Folded> => {
      let folded: Folded;
      try {
        folded = StateCache.fold(definition, base, list);
      } catch (cause) {
        if (!fromSnapshot) throw cause;
        // The snapshot's state is not what evolve expects: never trust it, fold from the start.
        this.#report({
          action: 'load',
          kind: kind!,
          tenant,
          streamId,
          message: `${StateCache.#what(kind!, tenant, streamId)} at version ${base.version} could not be folded onto (${reasonOf(cause)}); it was ignored and the stream folded from its first event.`,
          cause,
        });
        const initial = { version: 0, state: definition.initial() };
        return this.#fold(ledger, definition, streams, tenant, streamId, initial, kind, false);
      }
      this.#put(streams, streamId, folded);
      if (kind !== undefined) this.#snapshot(kind, definition, tenant, streamId, base, folded);
      return folded;
    });
  }

  /** The snapshot as a starting point, or undefined when there is none or it is not fit to use. */
  #trusted(
    snapshot: Snapshot | undefined,
    definition: StateDefinition,
    kind: string,
    tenant: string,
    streamId: string,
    current: number,
  ): Folded | undefined {
    if (snapshot === undefined) return undefined;
    const problem = StateCache.#problem(snapshot, definition.version ?? 1, current);
    if (problem === undefined) return { version: snapshot.version, state: snapshot.state };
    if (problem !== null) {
      this.#report({
        action: 'load',
        kind,
        tenant,
        streamId,
        message: `${StateCache.#what(kind, tenant, streamId)} ${problem}; it was ignored and the stream folded from its first event. The next snapshot replaces it.`,
      });
    }
    return undefined;
  }

  /** What is wrong with a snapshot: undefined when nothing, null when it is of another schema version (ignored quietly). */
  static #problem(
    snapshot: unknown,
    schemaVersion: number,
    current: number,
  ): string | null | undefined {
    if (typeof snapshot !== 'object' || snapshot === null) {
      return `is not a snapshot but ${snapshot === null ? 'null' : typeof snapshot}`;
    }
    const { version, state, schemaVersion: taken } = snapshot as Partial<Snapshot>;
    if (taken !== schemaVersion) return null;
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
      return `has version ${String(version)}, not a whole number ≥ 1`;
    }
    if (version > current)
      return `is at version ${version}, beyond the stream's version ${current}`;
    if (state === undefined) return `at version ${version} has no state`;
    return undefined;
  }

  /** Saves `folded` in the background when folding from `base` crossed a multiple of `every`. */
  #snapshot(
    kind: string,
    definition: StateDefinition,
    tenant: string,
    streamId: string,
    base: Folded,
    folded: Folded,
  ): void {
    const every = this.#every;
    if (Math.floor(folded.version / every) <= Math.floor(base.version / every)) return;
    const store = this.#store!;
    const snapshot: Snapshot = {
      version: folded.version,
      state: folded.state,
      schemaVersion: definition.version ?? 1,
      takenAt: Date.now(),
    };
    const saved = attempt<unknown>(
      () => store.save(kind, tenant, streamId, snapshot),
      (cause) =>
        this.#report({
          action: 'save',
          kind,
          tenant,
          streamId,
          message: `${StateCache.#what(kind, tenant, streamId)} at version ${folded.version} could not be saved (${reasonOf(cause)}); the command went on, the next multiple of ${every} tries again.`,
          cause,
        }),
    );
    // Not awaited: a snapshot only saves work later and is never part of the command's outcome.
    if (isThenable(saved)) {
      const pending = Promise.resolve(saved);
      this.#saving.add(pending);
      void pending.then(() => this.#saving.delete(pending));
    }
  }

  /** Resolves once the snapshots being saved are done (or have failed). */
  async flush(): Promise<void> {
    while (this.#saving.size > 0) await Promise.all(this.#saving);
  }

  static #what(kind: string, tenant: string, streamId: string): string {
    return `The snapshot of state "${kind}" for stream "${streamId}" (tenant "${tenant}")`;
  }

  #report(issue: SnapshotIssue): void {
    const hook = this.#onIssue;
    if (hook === undefined) return;
    try {
      hook(issue);
    } catch {
      // a reporting hook never changes the outcome
    }
  }

  /** Records the state after an append of `events` decided on `base` (and snapshots it when due). */
  advance(
    definition: StateDefinition,
    tenant: string,
    streamId: string,
    base: Folded,
    events: readonly RecordedEvent[],
  ): void {
    const folded = StateCache.fold(definition, base, events);
    this.#put(this.#streams(definition, tenant), streamId, folded);
    const kind = this.#kind(definition);
    if (kind !== undefined) this.#snapshot(kind, definition, tenant, streamId, base, folded);
  }

  /**
   * Forgets a stream whose events were replaced (offline sync): cached states are dropped and
   * snapshots of named states are overwritten by one of no schema version, which loading ignores.
   */
  rewound(
    definitions: Iterable<StateDefinition>,
    tenant: string,
    streamId: string,
  ): MaybePromise<void> {
    const saves: MaybePromise<void>[] = [];
    for (const definition of definitions) {
      this.forget(definition, tenant, streamId);
      const kind = this.#kind(definition);
      if (kind === undefined) continue;
      const void_: Snapshot = { version: 1, state: null, schemaVersion: -1, takenAt: Date.now() };
      saves.push(this.#store!.save(kind, tenant, streamId, void_));
    }
    if (saves.some(isThenable)) return Promise.all(saves).then(() => undefined);
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
