/**
 * A live lens: answers once, then again after each change set that could change its answer, and
 * only when the answer differs from the last one delivered. A read already running when changes
 * arrive is followed by one more read (changes coalesce while it runs).
 */
import type { Query, Where } from '../contracts/query.ts';
import type { PerspectiveStore, StoredModel } from '../contracts/store.ts';
import { compileWhere } from '../kit/predicate.ts';
import { deepFreeze } from '../util/freeze.ts';
import { chain, isThenable, type MaybePromise } from '../util/maybe.ts';
import { same } from '../util/same.ts';
import { type ChangeWatcher, keyOf, type ModelChange, type Touched } from './live-index.ts';

/** A maybe-synchronous computation as a promise, with synchronous throws as rejections. */
export function settle<T>(fn: () => MaybePromise<T>): Promise<T> {
  try {
    const value = fn();
    return isThenable<T>(value) ? Promise.resolve(value) : Promise.resolve(value);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** What a live lens does on a change and reads. */
export interface LiveSource<T> {
  /** The key of the one model it follows (see `keyOf`); undefined for a query. */
  readonly key: string | undefined;
  /** True when `change` could alter the answer `last`. */
  affects(change: ModelChange): boolean;
  /** The answer as the store holds it now. */
  read(): Promise<T>;
}

/** Runs one live lens. */
export class LiveRun<T> implements ChangeWatcher {
  readonly #source: LiveSource<T>;
  readonly #listener: (value: T) => void;
  readonly #onError: ((error: unknown) => void) | undefined;
  #last: { value: T } | undefined;
  #running = false;
  #again = false;
  #stopped = false;
  readonly key: string | undefined;

  constructor(
    source: LiveSource<T>,
    listener: (value: T) => void,
    onError: ((error: unknown) => void) | undefined,
  ) {
    this.#source = source;
    this.key = source.key;
    this.#listener = listener;
    this.#onError = onError;
  }

  /** Reads and delivers the first answer. */
  start(): void {
    this.#run();
  }

  changed(touched: Touched): void {
    if (this.#stopped) return;
    if (touched !== 'all' && !touched.some((c) => this.#source.affects(c))) return;
    if (this.#running) this.#again = true;
    else this.#run();
  }

  stop(): void {
    this.#stopped = true;
  }

  #run(): void {
    this.#running = true;
    this.#again = false;
    this.#source.read().then(
      (value) => {
        if (this.#stopped) return;
        const last = this.#last;
        if (last === undefined || !same(last.value, value)) {
          this.#last = { value };
          this.#call(() => this.#listener(value));
        }
        this.#next();
      },
      (error) => {
        if (this.#stopped) return;
        this.#call(() => this.#onError?.(error));
        this.#next();
      },
    );
  }

  #next(): void {
    this.#running = false;
    if (this.#again && !this.#stopped) this.#run();
  }

  /** A listener's throw goes to `onError`, never out into the committer that told of the change. */
  #call(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      if (this.#onError === undefined) return;
      try {
        this.#onError(error);
      } catch {
        // nowhere further to report it
      }
    }
  }
}

/**
 * One model as a lens hands it out: frozen, so an edit of it cannot reach the store (and reads
 * alike on every driver).
 */
export function readModel<M>(
  store: PerspectiveStore,
  perspective: string,
  tenant: string,
  id: string,
): Promise<M | undefined> {
  return settle(() =>
    chain(store.get(perspective, tenant, id), (row) => deepFreeze(row?.model) as M | undefined),
  );
}

/** The source of a live `get`: one model by key. */
export function modelSource<M>(
  store: PerspectiveStore,
  perspective: string,
  tenant: string,
  id: string,
): LiveSource<M | undefined> {
  return {
    key: keyOf(tenant, id),
    affects: (c) => c.id === id && c.tenant === tenant,
    read: () => readModel<M>(store, perspective, tenant, id),
  };
}

/**
 * The source of a live `query`: a change matters when its model is in the last answer or matches
 * the filter now (it may enter the answer).
 */
export function querySource<M>(
  store: PerspectiveStore,
  perspective: string,
  tenant: string,
  query: Query,
): LiveSource<M[]> {
  let ids = new Set<string>();
  const models = (rows: StoredModel[]): M[] => {
    ids = new Set(rows.map((r) => r.id));
    return rows.map((r) => deepFreeze(r.model) as M);
  };
  const matches = compileWhere(query.where);
  return {
    key: undefined,
    affects: (c) =>
      c.tenant === tenant && (ids.has(c.id) || (c.model !== undefined && matches(c.model))),
    read: () =>
      settle((): MaybePromise<M[]> => chain(store.query(perspective, tenant, query), models)),
  };
}

/** How many models match `where`: the store's `count`, or the length of its answer. */
export function countModels(
  store: PerspectiveStore,
  perspective: string,
  tenant: string,
  where: Where | undefined,
): Promise<number> {
  return settle(() =>
    store.count !== undefined
      ? store.count(perspective, tenant, where)
      : chain(
          store.query(perspective, tenant, where === undefined ? {} : { where }),
          (rows) => rows.length,
        ),
  );
}

/**
 * The source of a live `count`: any change to the tenant's models may move a model in or out of
 * the filter (its old value is not known here), so each one counts again.
 */
export function countSource(
  store: PerspectiveStore,
  perspective: string,
  tenant: string,
  where: Where | undefined,
): LiveSource<number> {
  return {
    key: undefined,
    affects: (c) => c.tenant === tenant,
    read: () => countModels(store, perspective, tenant, where),
  };
}
