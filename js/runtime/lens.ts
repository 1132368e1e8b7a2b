/** Lenses: the read side of a perspective, scoped by tenant. */
import type { PerspectiveStore } from '../contracts/store.ts';
import type { Perspective } from '../definitions/perspective.ts';
import { DEFAULT_TENANT } from '../messages/envelope.ts';
import { chain, isThenable, type MaybePromise } from '../util/maybe.ts';
import type { Lens } from './types.ts';

/** A maybe-synchronous computation as a promise, with synchronous throws as rejections. */
export function settle<T>(fn: () => MaybePromise<T>): Promise<T> {
  try {
    const value = fn();
    return isThenable<T>(value) ? Promise.resolve(value) : Promise.resolve(value);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The lens of perspective `p` over `store`. */
export function lensOf<M>(store: PerspectiveStore, p: Perspective): Lens<M> {
  return {
    get: (id, options) =>
      settle(() =>
        chain(
          store.get(p.name, options?.tenant ?? DEFAULT_TENANT, id),
          (row) => row?.model as M | undefined,
        ),
      ),
    query: (q = {}) => {
      const { tenant = DEFAULT_TENANT, ...query } = q;
      return settle(() =>
        chain(store.query(p.name, tenant, query), (rows) => rows.map((r) => r.model as M)),
      );
    },
  };
}
