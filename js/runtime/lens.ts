/** Lenses: the read side of a perspective, scoped by tenant; `watch` and `live` keep answering. */
import type { PerspectiveStore } from '../contracts/store.ts';
import type { Perspective } from '../definitions/perspective.ts';
import { checkQuery } from '../kit/query.ts';
import { DEFAULT_TENANT } from '../messages/envelope.ts';
import { chain } from '../util/maybe.ts';
import type { Changes } from './changes.ts';
import { LiveRun, modelSource, querySource, settle } from './live.ts';
import type { LiveLens } from './types.ts';

/** The lens of perspective `p` over `store`; its live forms hear of changes from `changes`. */
export function lensOf<M>(store: PerspectiveStore, p: Perspective, changes: Changes): LiveLens<M> {
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
    watch(id, listener, options) {
      const source = modelSource<M>(store, p.name, options?.tenant ?? DEFAULT_TENANT, id);
      const run = new LiveRun(source, listener, options?.onError);
      const remove = changes.add(p.name, run);
      run.start();
      return remove;
    },
    live(q, listener, options) {
      const { tenant = DEFAULT_TENANT, ...query } = q ?? {};
      checkQuery(query);
      const run = new LiveRun(
        querySource<M>(store, p.name, tenant, query),
        listener,
        options?.onError,
      );
      const remove = changes.add(p.name, run);
      run.start();
      return remove;
    },
  };
}
