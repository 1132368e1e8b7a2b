/**
 * An app's side of replication (`app.replica`): what an engine that keeps the app in step with a
 * shared log needs of it — offline sync (`whizbang/sync`) is one. Events decided elsewhere are
 * appended through the app's inline perspectives (nothing cascades, nothing goes to the outbox), a
 * displaced command is decided again on its stream's new state, and the states cached for a
 * rewound stream are forgotten.
 */
import type { Driver } from '../contracts/driver.ts';
import type { AppendResult, ExpectedVersion, Ledger, NewEvent } from '../contracts/ledger.ts';
import type { StateDefinition } from '../definitions/receptor.ts';
import type { Envelope } from '../messages/envelope.ts';
import type { Command } from '../messages/message.ts';
import { chain, each, type MaybePromise } from '../util/maybe.ts';
import { Changes } from './changes.ts';
import { both, type Committer } from './commit.ts';
import type { Dispatcher } from './dispatcher.ts';
import { Flow, type InTransaction, type Outcome } from './flow.ts';
import type { Registry } from './registry.ts';
import type { StateCache } from './state-cache.ts';

/** A run of events of one stream, decided elsewhere, to append where the stream is at `expectedVersion`. */
export interface ReplicatedRun {
  /** The stream appended to. */
  readonly streamId: string;
  /** Its tenant. */
  readonly tenant: string;
  /** The events appended. */
  readonly events: readonly NewEvent[];
  /** The version the stream was expected at. */
  readonly expectedVersion: ExpectedVersion;
}

/** The app's side of replication; see {@link Whizbang.replica}. */
export interface Replica {
  /** The driver the app was built on. */
  readonly driver: Driver;
  /**
   * Appends runs of events decided elsewhere to `ledger` (the app's ledger or the one its driver
   * wraps), all in one transaction when the ledger can (`appendBatch`), else one per run: the
   * inline perspectives apply them and `also` runs with the last run. Waits while an inline
   * perspective is being rebuilt.
   */
  appendReplicated(
    ledger: Ledger,
    runs: readonly ReplicatedRun[],
    also: InTransaction,
  ): MaybePromise<void>;
  /**
   * Replaces the events of a stream after version `after` with `events` (another writer's, which
   * displaced local ones), `also` in the same transaction. Perspectives are left to a rebuild.
   */
  replaceTail(
    ledger: Ledger,
    run: ReplicatedRun & { readonly after: number },
    also: InTransaction,
  ): MaybePromise<AppendResult>;
  /**
   * Decides a command again on its stream's current state; nothing cascades from it (its first
   * decision did that). `also`, when given, runs in the transaction of its append, or in one of
   * its own when it appends nothing.
   */
  decideAgain(envelope: Envelope<Command>, also?: InTransaction): MaybePromise<Outcome>;
  /** A stream's events were replaced: the states cached and snapshotted for it are forgotten. */
  rewound(tenant: string, streamId: string): MaybePromise<void>;
  /** Whether this app's receptor of command type `type` has an `authorize` hook of its own. */
  authorizes(type: string): boolean;
}

/** The replica port of one app. */
export class ReplicaPort implements Replica {
  readonly driver: Driver;
  readonly #registry: Registry;
  readonly #commit: Committer;
  readonly #dispatcher: Dispatcher;
  readonly #cache: StateCache;

  constructor(
    driver: Driver,
    registry: Registry,
    commit: Committer,
    dispatcher: Dispatcher,
    cache: StateCache,
  ) {
    this.driver = driver;
    this.#registry = registry;
    this.#commit = commit;
    this.#dispatcher = dispatcher;
    this.#cache = cache;
  }

  appendReplicated(
    ledger: Ledger,
    runs: readonly ReplicatedRun[],
    also: InTransaction,
  ): MaybePromise<void> {
    const gate = this.#commit.opened();
    if (gate !== undefined) return gate.then(() => this.appendReplicated(ledger, runs, also));
    const last = runs.length - 1;
    const changes = this.#commit.changes;
    // pulled events are one change set per transaction, as a local commit is
    let recorder = changes.recorder();
    const inline = (run: ReplicatedRun): InTransaction | undefined => {
      const work = this.#commit.inlineWork(run.events);
      return recorder === undefined ? work : Changes.track(work, recorder);
    };
    const work = (run: ReplicatedRun, i: number): InTransaction | undefined =>
      i === last ? both(inline(run), also) : inline(run);
    if (ledger.appendBatch === undefined) {
      return each(runs, (run, i) =>
        chain(
          ledger.append(run.streamId, run.events, {
            expectedVersion: run.expectedVersion,
            tenant: run.tenant,
            inTransaction: work(run, i),
          }),
          (result) => {
            changes.committed(recorder, result.position);
            recorder = changes.recorder();
          },
        ),
      );
    }
    const batch = runs.map((run, i) => ({
      streamId: run.streamId,
      events: run.events,
      options: {
        expectedVersion: run.expectedVersion,
        tenant: run.tenant,
        inTransaction: work(run, i),
      },
    }));
    return chain(ledger.appendBatch(batch), (results) => {
      for (const r of results) changes.own(r.position);
      changes.committed(recorder);
    });
  }

  replaceTail(
    ledger: Ledger,
    run: ReplicatedRun & { readonly after: number },
    also: InTransaction,
  ): MaybePromise<AppendResult> {
    const gate = this.#commit.opened();
    if (gate !== undefined) return gate.then(() => this.replaceTail(ledger, run, also));
    // the models are left to the rebuild that follows; it tells the live lenses
    return chain(
      ledger.replaceTail!(run.streamId, run.after, run.events, {
        tenant: run.tenant,
        inTransaction: also,
      }),
      (result) => {
        this.#commit.changes.own(result.position);
        return result;
      },
    );
  }

  decideAgain(envelope: Envelope<Command>, also?: InTransaction): MaybePromise<Outcome> {
    const flow = new Flow(also, true);
    return chain(this.#dispatcher.command(envelope, flow, 0), (outcome) => {
      const leftover = flow.once;
      if (leftover === undefined) return outcome;
      return chain(
        this.driver.store.transaction((tx) => leftover([], tx)),
        () => outcome,
      );
    });
  }

  authorizes(type: string): boolean {
    return this.#registry.receptors.get(type)?.authorize !== undefined;
  }

  rewound(tenant: string, streamId: string): MaybePromise<void> {
    const states = new Set<StateDefinition>();
    for (const r of this.#registry.receptors.values())
      if (r.state !== undefined) states.add(r.state);
    return this.#cache.rewound(states, tenant, streamId);
  }
}
