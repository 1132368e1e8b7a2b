/**
 * Live lenses pinned to a position: a lens over a time view answers with the models as of that
 * position; a lens over the traveler answers as of where the traveler is, and again each time it
 * moves. Both have an app lens's shape, so whatever takes `app.lens(p)` (the stores, the React
 * hooks) shows the past the same way.
 */
import type { Query } from '../contracts/query.ts';
import type { Perspective } from '../definitions/perspective.ts';
import { checkQuery } from '../kit/query.ts';
import { LiveRun, type LiveSource } from '../runtime/live.ts';
import type { Touched } from '../runtime/live-index.ts';
import type { LiveLens } from '../runtime/types.ts';
import type { TimeView } from './types.ts';

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
  const query = (q: Query & { readonly tenant?: string }): M[] => {
    checkQuery(q);
    return at().query(perspective, q);
  };
  const source = <T>(read: () => T): LiveSource<T> => ({
    key: undefined,
    affects: () => true,
    read: () => new Promise<T>((resolve) => resolve(read())),
  });
  at().get(perspective, ''); // a perspective the traveler does not replay is refused here
  return {
    get: (id, options) => new Promise((resolve) => resolve(get(id, options?.tenant))),
    query: (q = {}) => new Promise((resolve) => resolve(query(q))),
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
  };
}
