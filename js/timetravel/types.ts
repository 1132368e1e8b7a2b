/** The public shapes of time travel: options, views, diffs and the traveler. */
import type { Ledger, RecordedEvent } from '../contracts/ledger.ts';
import type { Query } from '../contracts/query.ts';
import type { StoredModel } from '../contracts/store.ts';
import type { Perspective } from '../definitions/perspective.ts';
import type { LiveLens } from '../runtime/types.ts';
import type { ModelChange } from './diff.ts';

/** Options of `timeTravel`. */
export interface TimeTravelOptions {
  /** The ledger to travel over. */
  readonly ledger: Ledger;
  /** The perspectives to replay (`app.perspectives.values()` for all of an app's). */
  readonly perspectives: Iterable<Perspective<any, any>>;
  /** Only this tenant's events and models; default: every tenant's. */
  readonly tenant?: string;
  /** Keep a checkpoint of every model each this many positions (default 1000; 0: none). */
  readonly snapshotEvery?: number;
  /** Events read per ledger call (default 1000). */
  readonly batchSize?: number;
}

/** Which tenant's models to read (default: the traveler's tenant, else `'default'`). */
export interface TenantOption {
  /** The tenant (default `'default'`). */
  readonly tenant?: string;
}

/** The models as of one position; it does not change when the traveler moves on. */
export interface TimeView {
  /** The global position the models are as of (0: before the first event). */
  readonly position: number;
  /** The newest event at or before `position` that one of the perspectives applies. */
  readonly event: RecordedEvent | undefined;
  /** The model of `perspective` by id as of this position. */
  get<M>(perspective: Perspective<M, any>, id: string, options?: TenantOption): M | undefined;
  /** The model with its bookkeeping (version, position of the last event applied, time). */
  row<M>(
    perspective: Perspective<M, any>,
    id: string,
    options?: TenantOption,
  ): StoredModel<M> | undefined;
  /** Every model of a perspective, by id. */
  models<M>(perspective: Perspective<M, any>, options?: TenantOption): Map<string, M>;
  /** A lens query over the models, as `app.lens(perspective).query` takes it. */
  query<M>(perspective: Perspective<M, any>, query?: Query & TenantOption): M[];
  /**
   * A lens pinned to this position, shaped as `app.lens(perspective)`: its live forms answer once
   * (the past does not change), so a UI built on live lenses shows this position as it is.
   */
  lens<M>(perspective: Perspective<M, any>): LiveLens<M>;
}

/** What changed in one model between two positions. */
export interface ModelDiff<M> {
  /** The perspective's name. */
  readonly perspective: string;
  /** The model's id. */
  readonly id: string;
  /** Its tenant. */
  readonly tenant: string;
  /** The positions compared (each at most the ledger's head). */
  readonly from: number;
  /** The later position. */
  readonly to: number;
  /** The model at `from`; undefined when it did not exist. */
  readonly before: M | undefined;
  /** The model at `to`; undefined when it did not exist (or was deleted). */
  readonly after: M | undefined;
  /** Paths added, removed or changed, from `before` to `after`. */
  readonly changes: readonly ModelChange[];
}

/**
 * Moves through the ledger's history; calls run one after another. A move that fails (a
 * perspective threw, the ledger failed) leaves the traveler where it was.
 */
export interface TimeTraveler {
  /** Where the traveler is: a global position (0: before the first event). */
  readonly position: number;
  /** How many checkpoints are kept. */
  readonly checkpoints: number;
  /** Goes to `position` (at most the ledger's head) and gives the models there. */
  at(position: number): Promise<TimeView>;
  /** Goes to the next event a perspective applies; undefined (staying put) when there is none. */
  next(): Promise<TimeView | undefined>;
  /** Goes back to before the current event (`view.event`); undefined (staying put) at the start. */
  previous(): Promise<TimeView | undefined>;
  /** The models where the traveler is now. */
  current(): TimeView;
  /**
   * A lens pinned to where the traveler is, shaped as `app.lens(perspective)`: it answers as of
   * the traveler's position, and its live forms (`watch`, `live`) answer again each time the
   * traveler moves (`at`, `next`, `previous`), not when the ledger grows. The same lens each time
   * for a perspective.
   */
  lens<M>(perspective: Perspective<M, any>): LiveLens<M>;
  /** What changed in one model from position `from` to position `to`; the traveler stays where it is. */
  diff<M>(
    perspective: Perspective<M, any>,
    id: string,
    from: number,
    to: number,
    options?: TenantOption,
  ): Promise<ModelDiff<M>>;
}
