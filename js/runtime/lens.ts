/** Lenses: the read side of a perspective, scoped by tenant. */
import type { PerspectiveStore } from '../contracts/store.ts';
import type { Perspective } from '../definitions/perspective.ts';
import { checkId, DEFAULT_LIMITS, type Limits } from '../kit/limits.ts';
import { DEFAULT_TENANT } from '../messages/envelope.ts';
import { deepFreeze } from '../util/freeze.ts';
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

// the shape of ids is checked here; their length is the driver's limit to check
const ANY_LENGTH: Limits = { ...DEFAULT_LIMITS, maxIdBytes: Number.MAX_SAFE_INTEGER };

/** The lens of perspective `p` over `store`. */
export function lensOf<M>(store: PerspectiveStore, p: Perspective): Lens<M> {
  return {
    get: (id, options) =>
      settle(() => {
        const tenant = options?.tenant ?? DEFAULT_TENANT;
        checkId('model id', id, ANY_LENGTH);
        checkId('tenant', tenant, ANY_LENGTH);
        // frozen: an edit of a result cannot reach the store (and reads alike on every driver)
        return chain(
          store.get(p.name, tenant, id),
          (row) => deepFreeze(row?.model) as M | undefined,
        );
      }),
    query: (q = {}) =>
      settle(() => {
        const { tenant = DEFAULT_TENANT, ...query } = q;
        checkId('tenant', tenant, ANY_LENGTH);
        return chain(store.query(p.name, tenant, query), (rows) =>
          rows.map((r) => deepFreeze(r.model) as M),
        );
      }),
  };
}
