/** Lenses: the read side of a perspective, scoped by tenant; `watch` and `live` keep answering. */
import type { PerspectiveStore } from '../contracts/store.ts';
import type { Perspective } from '../definitions/perspective.ts';
import { checkId, DEFAULT_LIMITS, type Limits } from '../kit/limits.ts';
import { checkQuery } from '../kit/query.ts';
import { DEFAULT_TENANT } from '../messages/envelope.ts';
import { deepFreeze } from '../util/freeze.ts';
import { chain } from '../util/maybe.ts';
import type { Changes } from './changes.ts';
import { LiveRun, type LiveSource, modelSource, querySource, readModel, settle } from './live.ts';
import type { LiveLens } from './types.ts';

// the shape of ids is checked here; their length is the driver's limit to check
const ANY_LENGTH: Limits = { ...DEFAULT_LIMITS, maxIdBytes: Number.MAX_SAFE_INTEGER };

/** The lens of perspective `p` over `store`; its live forms hear of changes from `changes`. */
export function lensOf<M>(store: PerspectiveStore, p: Perspective, changes: Changes): LiveLens<M> {
  /** Answers from `source` now and after each change to the perspective; returns the unsubscribe. */
  const follow = <T>(
    source: LiveSource<T>,
    listener: (answer: T) => void,
    onError: ((error: unknown) => void) | undefined,
  ): (() => void) => {
    const run = new LiveRun(source, listener, onError);
    const remove = changes.add(p.name, run);
    run.start();
    return remove;
  };
  return {
    get: (id, options) =>
      settle(() => {
        const tenant = options?.tenant ?? DEFAULT_TENANT;
        checkId('model id', id, ANY_LENGTH);
        checkId('tenant', tenant, ANY_LENGTH);
        return readModel<M>(store, p.name, tenant, id);
      }),
    query: (q = {}) =>
      settle(() => {
        const { tenant = DEFAULT_TENANT, ...query } = q;
        checkId('tenant', tenant, ANY_LENGTH);
        return chain(store.query(p.name, tenant, query), (rows) =>
          rows.map((r) => deepFreeze(r.model) as M),
        );
      }),
    watch(id, listener, options) {
      const tenant = options?.tenant ?? DEFAULT_TENANT;
      checkId('model id', id, ANY_LENGTH);
      checkId('tenant', tenant, ANY_LENGTH);
      return follow(modelSource<M>(store, p.name, tenant, id), listener, options?.onError);
    },
    live(q, listener, options) {
      const { tenant = DEFAULT_TENANT, ...query } = q ?? {};
      checkId('tenant', tenant, ANY_LENGTH);
      checkQuery(query);
      return follow(querySource<M>(store, p.name, tenant, query), listener, options?.onError);
    },
  };
}
