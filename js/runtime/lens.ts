/** Lenses: the read side of a perspective, scoped by tenant; `watch` and `live` keep answering. */
import type { Page, Query } from '../contracts/query.ts';
import type { PerspectiveStore, StoredModel } from '../contracts/store.ts';
import type { Perspective } from '../definitions/perspective.ts';
import { cursorOf } from '../kit/cursor.ts';
import { checkId, DEFAULT_LIMITS, type Limits } from '../kit/limits.ts';
import { checkQuery } from '../kit/query.ts';
import { DEFAULT_TENANT } from '../messages/envelope.ts';
import { deepFreeze } from '../util/freeze.ts';
import { chain } from '../util/maybe.ts';
import type { Changes } from './changes.ts';
import {
  countModels,
  countSource,
  LiveRun,
  type LiveSource,
  modelSource,
  querySource,
  readModel,
  settle,
} from './live.ts';
import type { LiveLens } from './types.ts';

// the shape of ids is checked here; their length is the driver's limit to check
const ANY_LENGTH: Limits = { ...DEFAULT_LIMITS, maxIdBytes: Number.MAX_SAFE_INTEGER };

/** The models of a page when the query sets no `limit`. */
const DEFAULT_PAGE = 50;

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
  /** The stored rows `q` answers, for its tenant. */
  const rows = <T>(
    q: Query & { readonly tenant?: string },
    then: (rows: StoredModel[], query: Query) => T,
  ): Promise<T> =>
    settle(() => {
      const { tenant = DEFAULT_TENANT, ...query } = q;
      checkId('tenant', tenant, ANY_LENGTH);
      return chain(store.query(p.name, tenant, query), (found) => then(found, query));
    });
  const frozen = (found: StoredModel[]): M[] => found.map((r) => deepFreeze(r.model) as M);
  return {
    get: (id, options) =>
      settle(() => {
        const tenant = options?.tenant ?? DEFAULT_TENANT;
        checkId('model id', id, ANY_LENGTH);
        checkId('tenant', tenant, ANY_LENGTH);
        return readModel<M>(store, p.name, tenant, id);
      }),
    query: (q = {}) => rows(q, frozen),
    first: (q = {}) => rows({ ...q, limit: 1 }, (found) => frozen(found)[0]),
    count: (q = {}) =>
      settle(() => {
        const { tenant = DEFAULT_TENANT, where } = q;
        checkId('tenant', tenant, ANY_LENGTH);
        checkQuery(where === undefined ? {} : { where });
        return countModels(store, p.name, tenant, where);
      }),
    page: (q = {}) =>
      rows({ limit: DEFAULT_PAGE, ...q }, (found, query): Page<M> => {
        const last = found[found.length - 1];
        const full = last !== undefined && found.length === query.limit;
        return {
          models: frozen(found),
          next: full ? cursorOf(last.id, last.model, query.orderBy) : undefined,
        };
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
    liveCount(q, listener, options) {
      const { tenant = DEFAULT_TENANT, where } = q ?? {};
      checkId('tenant', tenant, ANY_LENGTH);
      checkQuery(where === undefined ? {} : { where });
      return follow(countSource(store, p.name, tenant, where), listener, options?.onError);
    },
  };
}
