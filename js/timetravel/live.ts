/**
 * Live lenses pinned to a position: a lens over a time view answers with the models as of that
 * position; a lens over the traveler answers as of where the traveler is, and again each time it
 * moves. Both have an app lens's shape, so whatever takes `app.lens(p)` (the stores, the React
 * hooks) shows the past the same way.
 */
import type { Page, Query, Where } from '../contracts/query.ts';
import type { Perspective } from '../definitions/perspective.ts';
import { cursorOf } from '../kit/cursor.ts';
import { checkQuery, runQuery } from '../kit/query.ts';
import { LiveRun, type LiveSource } from '../runtime/live.ts';
import type { Touched } from '../runtime/live-index.ts';
import type { LiveLens } from '../runtime/types.ts';
import type { TimeView } from './types.ts';

/** The models of a page when the query sets no `limit` (as an app's lens). */
const DEFAULT_PAGE = 50;

/** Tells the live lenses of a traveler that it moved. */
export class Moves {
  readonly #runs = new Set<{ changed(touched: Touched): void }>();

  /** The traveler arrived somewhere else: every lens over it answers again. */
  moved(): void {
    for (const run of [...this.#runs]) run.changed('all');
  }

  /** Starts `run`, told of each move until the returned function is called. */
  follow(run: LiveRun<any>): () => void {
    this.#runs.add(run);
    run.start();
    return () => {
      run.stop();
      this.#runs.delete(run);
    };
  }
}

/**
 * A lens of `perspective` over the view `at()` gives (read at each answer); `moves` tells it when
 * that view changes. Throws for a perspective the traveler does not replay.
 */
export function travelLens<M>(
  perspective: Perspective<M, any>,
  at: () => TimeView,
  moves: Moves = new Moves(), // a view's: it never moves
): LiveLens<M> {
  const get = (id: string, tenant: string | undefined): M | undefined =>
    at().get(perspective, id, tenant === undefined ? undefined : { tenant });
  /** The rows (id and model) `q` answers in the view. */
  const rows = (q: Query & { readonly tenant?: string }): Array<{ id: string; model: M }> => {
    const { tenant, ...query } = q;
    checkQuery(query);
    const all = at().models(perspective, tenant === undefined ? undefined : { tenant });
    const items = [...all].map(([id, model]) => ({ id, model }));
    return runQuery(items, (r) => r.model, query);
  };
  const query = (q: Query & { readonly tenant?: string }): M[] => rows(q).map((r) => r.model);
  const count = (q: { readonly where?: Where; readonly tenant?: string }): number =>
    rows(q.where === undefined ? { ...q } : { where: q.where, ...q }).length;
  const page = (q: Query & { readonly tenant?: string }): Page<M> => {
    const query = { limit: DEFAULT_PAGE, ...q };
    const found = rows(query);
    const last = found[found.length - 1];
    const full = last !== undefined && found.length === query.limit;
    return {
      models: found.map((r) => r.model),
      next: full ? cursorOf(last.id, last.model, query.orderBy) : undefined,
    };
  };
  const source = <T>(read: () => T): LiveSource<T> => ({
    key: undefined,
    affects: () => true,
    read: () => new Promise<T>((resolve) => resolve(read())),
  });
  const answer = <T>(read: () => T): Promise<T> => new Promise((resolve) => resolve(read()));
  at().get(perspective, ''); // a perspective the traveler does not replay is refused here
  return {
    get: (id, options) => new Promise((resolve) => resolve(get(id, options?.tenant))),
    query: (q = {}) => answer(() => query(q)),
    first: (q = {}) => answer(() => query({ ...q, limit: 1 })[0]),
    count: (q = {}) => answer(() => count(q)),
    page: (q = {}) => answer(() => page(q)),
    watch: (id, listener, options) =>
      moves.follow(
        new LiveRun(
          source(() => get(id, options?.tenant)),
          listener,
          options?.onError,
        ),
      ),
    live: (q, listener, options) => {
      checkQuery(q); // refused at once, as an app's lens refuses it
      return moves.follow(
        new LiveRun(
          source(() => query(q)),
          listener,
          options?.onError,
        ),
      );
    },
    liveCount: (q, listener, options) => {
      checkQuery(q?.where === undefined ? {} : { where: q.where });
      return moves.follow(
        new LiveRun(
          source(() => count(q ?? {})),
          listener,
          options?.onError,
        ),
      );
    },
  };
}
