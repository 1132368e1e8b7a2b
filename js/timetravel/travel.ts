/**
 * Time travel: the perspectives' models as of any global position of the ledger, a step at a time
 * forward or back, and what changed in a model between two positions. Events are applied exactly
 * as the app applies them (`applyOne`), into memory; checkpoints of every model are kept every
 * `snapshotEvery` positions as the replay passes them, so a far jump or a step back replays at
 * most that many positions from the nearest checkpoint instead of the whole log.
 * @example
 * const tt = timeTravel({ ledger: app.ledger, perspectives: app.perspectives.values() });
 * const then = await tt.at(120);
 * then.get(accounts, 'a-1'); // the account as of position 120
 * await tt.previous(); // the models just before the last event at or before 120
 * (await tt.diff(accounts, 'a-1', 100, 200)).changes; // [{ kind: 'changed', path: ['balance'], … }]
 */

import type { Ledger, ReadAllOptions, RecordedEvent } from '../contracts/ledger.ts';
import type { Perspective } from '../definitions/perspective.ts';
import { applyOne } from '../runtime/project.ts';
import type { LiveLens } from '../runtime/types.ts';
import { invalidArgument } from '../util/errors.ts';
import { diffValues } from './diff.ts';
import { Moves, travelLens } from './live.ts';
import { type Frozen, Models } from './models.ts';
import type {
  ModelDiff,
  TenantOption,
  TimeTraveler,
  TimeTravelOptions,
  TimeView,
} from './types.ts';
import { Scope, viewOf } from './view.ts';

interface Checkpoint {
  readonly models: Frozen;
  readonly last: RecordedEvent | undefined;
}

/** A replay in progress: the models as of `position`, and the newest event applied. */
class Cursor {
  readonly models: Models = new Models();
  position = 0;
  last: RecordedEvent | undefined;

  restore(position: number, checkpoint: Checkpoint | undefined): void {
    this.models.reset(checkpoint?.models);
    this.position = position;
    this.last = checkpoint?.last;
  }
}

const count = (name: string, value: number | undefined, fallback: number, min: number): number => {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalidArgument(`timeTravel: "${name}" must be a whole number ≥ ${min}, got ${value}.`);
  }
  return value;
};

class Traveler implements TimeTraveler {
  readonly #ledger: Ledger;
  readonly #perspectives: readonly Perspective[];
  readonly #filter: ReadAllOptions;
  readonly #scope: Scope;
  readonly #every: number;
  readonly #batch: number;
  /** By index k: the models as of position k × every. */
  readonly #checkpoints = new Map<number, Checkpoint>();
  #highest = 0;
  readonly #main = new Cursor();
  /** Where the traveler last arrived: a failed move goes back there. */
  #settled: { readonly position: number; readonly checkpoint: Checkpoint } = {
    position: 0,
    checkpoint: { models: new Models().freeze(), last: undefined },
  };
  /** Diffs replay here, so the traveler stays where it is. */
  readonly #scratch = new Cursor();
  #view: TimeView;
  readonly #moves = new Moves();
  readonly #lenses = new Map<Perspective<any, any>, LiveLens<unknown>>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: TimeTravelOptions) {
    if (typeof options?.ledger?.readAll !== 'function') {
      throw invalidArgument('timeTravel needs `ledger`: a Ledger (for example `app.ledger`).');
    }
    this.#ledger = options.ledger;
    const byName = new Map<string, Perspective>();
    const perspectives = [...(options.perspectives ?? [])];
    for (const p of perspectives) {
      if (typeof p?.apply !== 'function' || !(p.types instanceof Set)) {
        throw invalidArgument('timeTravel takes perspectives made by definePerspective().');
      }
      if (byName.has(p.name)) {
        throw invalidArgument(`timeTravel was given two perspectives named "${p.name}".`);
      }
      byName.set(p.name, p);
    }
    if (perspectives.length === 0) {
      throw invalidArgument(
        'timeTravel needs at least one perspective, e.g. `perspectives: app.perspectives.values()`.',
      );
    }
    this.#perspectives = perspectives;
    const tenant = options.tenant;
    if (tenant !== undefined && (typeof tenant !== 'string' || tenant.length === 0)) {
      throw invalidArgument(`timeTravel: "tenant" must be a non-empty string, got ${tenant}.`);
    }
    this.#scope = new Scope(byName, tenant);
    const types = [...new Set(perspectives.flatMap((p) => [...p.types]))];
    this.#filter = tenant === undefined ? { types } : { types, tenant };
    this.#every = count('snapshotEvery', options.snapshotEvery, 1000, 0);
    this.#batch = count('batchSize', options.batchSize, 1000, 1);
    this.#view = viewOf(this.#main.models.freeze(), 0, undefined, this.#scope);
  }

  get position(): number {
    return this.#view.position;
  }

  get checkpoints(): number {
    return this.#checkpoints.size;
  }

  at(position: number): Promise<TimeView> {
    if (!Number.isSafeInteger(position) || position < 0) {
      return Promise.reject(
        invalidArgument(
          `A position is a whole number ≥ 0 (0: before the first event), got ${position}.`,
        ),
      );
    }
    return this.#travel(async (cursor) => {
      await this.#moveTo(cursor, position);
      return this.#settle();
    });
  }

  next(): Promise<TimeView | undefined> {
    return this.#travel(async (cursor) => {
      const [event] = await this.#ledger.readAll({
        ...this.#filter,
        from: cursor.position + 1,
        limit: 1,
      });
      if (event === undefined) return undefined;
      this.#apply(cursor, [event]);
      return this.#settle();
    });
  }

  previous(): Promise<TimeView | undefined> {
    return this.#travel(async (cursor) => {
      const last = cursor.last;
      if (last === undefined) return undefined;
      await this.#moveTo(cursor, last.position - 1);
      // no event the perspectives apply lies in between: land on the one before
      cursor.position = cursor.last?.position ?? 0;
      return this.#settle();
    });
  }

  current(): TimeView {
    return this.#view;
  }

  lens<M>(perspective: Perspective<M, any>): LiveLens<M> {
    // one lens per perspective, as `app.lens` gives: a UI can key its subscriptions on it
    let lens = this.#lenses.get(perspective);
    if (lens === undefined) {
      lens = travelLens(perspective, () => this.#view, this.#moves);
      this.#lenses.set(perspective, lens);
    }
    return lens as LiveLens<M>;
  }

  diff<M>(
    perspective: Perspective<M, any>,
    id: string,
    from: number,
    to: number,
    options?: TenantOption,
  ): Promise<ModelDiff<M>> {
    for (const [name, value] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 0) {
        return Promise.reject(
          invalidArgument(`diff: "${name}" must be a position (a whole number ≥ 0), got ${value}.`),
        );
      }
    }
    let name: string;
    let tenant: string;
    try {
      name = this.#scope.name(perspective);
      tenant = this.#scope.tenant(options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#serial(async () => {
      const cursor = this.#scratch;
      await this.#moveTo(cursor, from);
      const start = cursor.position;
      const before = cursor.models.get(name, tenant, id)?.model as M | undefined;
      await this.#moveTo(cursor, to);
      const after = cursor.models.get(name, tenant, id)?.model as M | undefined;
      const changes = diffValues(before, after);
      return {
        perspective: name,
        id,
        tenant,
        from: start,
        to: cursor.position,
        before,
        after,
        changes,
      };
    });
  }

  /** Runs a move of the traveler; when it fails, the traveler is back where it was. */
  #travel<T>(move: (cursor: Cursor) => Promise<T>): Promise<T> {
    return this.#serial(async () => {
      try {
        return await move(this.#main);
      } catch (error) {
        this.#main.restore(this.#settled.position, this.#settled.checkpoint);
        throw error;
      }
    });
  }

  #serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(op);
    this.#queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Moves a cursor to `position` (at most the head): from itself or the nearest checkpoint, whichever is closer. */
  async #moveTo(cursor: Cursor, position: number): Promise<void> {
    const target = Math.min(position, await this.#ledger.headPosition());
    const every = this.#every;
    let from = 0;
    let checkpoint: Checkpoint | undefined;
    if (every > 0) {
      for (let k = Math.min(Math.floor(target / every), this.#highest); k > 0; k--) {
        checkpoint = this.#checkpoints.get(k);
        if (checkpoint !== undefined) {
          from = k * every;
          break;
        }
      }
    }
    if (cursor.position > target || cursor.position < from) cursor.restore(from, checkpoint);
    try {
      while (cursor.position < target) {
        const batch = await this.#ledger.readAll({
          ...this.#filter,
          from: cursor.position + 1,
          to: target,
          limit: this.#batch,
        });
        this.#apply(cursor, batch);
        if (batch.length < this.#batch) break;
      }
      this.#reach(cursor, target);
    } catch (error) {
      cursor.restore(0, undefined); // never leave a half-applied replay behind
      throw error;
    }
  }

  /** Applies events in order, taking the checkpoints they pass. */
  #apply(cursor: Cursor, events: readonly RecordedEvent[]): void {
    const perspectives = this.#perspectives;
    const models = cursor.models;
    try {
      for (const event of events) {
        this.#reach(cursor, event.position - 1);
        for (let i = 0; i < perspectives.length; i++) applyOne(perspectives[i]!, event, models);
        cursor.position = event.position;
        cursor.last = event;
      }
    } catch (error) {
      cursor.restore(0, undefined);
      throw error;
    }
  }

  /** Moves a cursor to `position` with no event in between, taking the checkpoints it passes. */
  #reach(cursor: Cursor, position: number): void {
    const every = this.#every;
    if (every > 0) {
      // the models as of mark k × every: every event at or before it applied, none after
      for (let k = Math.max(1, Math.ceil(cursor.position / every)); k * every <= position; k++) {
        if (this.#checkpoints.has(k)) continue;
        this.#checkpoints.set(k, { models: cursor.models.freeze(), last: cursor.last });
        if (k > this.#highest) this.#highest = k;
      }
    }
    if (position > cursor.position) cursor.position = position;
  }

  /** The traveler has arrived: its view and the place a failed move goes back to. */
  #settle(): TimeView {
    const { models, position, last } = this.#main;
    const frozen = models.freeze();
    this.#settled = { position, checkpoint: { models: frozen, last } };
    this.#view = viewOf(frozen, position, last, this.#scope);
    this.#moves.moved();
    return this.#view;
  }
}

/**
 * Travels through a ledger's history as seen by some perspectives. Nothing is written: the models
 * are replayed in memory, with checkpoints every `snapshotEvery` positions (built lazily; they
 * hold only what changed between them). With `tenant`, only that tenant's events are read and
 * only its models exist.
 */
export function timeTravel(options: TimeTravelOptions): TimeTraveler {
  return new Traveler(options);
}
