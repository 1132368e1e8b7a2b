/**
 * A perspective store whose models are stored encrypted: each model sealed into its `model`,
 * bound to its perspective, tenant and id; the id, version, position and time stay clear.
 * Queries cannot run on ciphertext: they read the perspective's models for the tenant, open them
 * and filter, sort and page in memory with the evaluator every driver is checked against.
 */
import type { Query, Where } from '../contracts/query.ts';
import type { PerspectiveStore, StoredModel } from '../contracts/store.ts';
import { countMatches, runQuery } from '../kit/query.ts';
import { chain, isThenable, type MaybePromise } from '../util/maybe.ts';
import type { Box } from './atrest-box.ts';
import { atRestOutbox } from './atrest-outbox.ts';
import { openModel, withAtRestWriter } from './atrest-writer.ts';

function openModels(
  box: Box,
  perspective: string,
  rows: readonly StoredModel[],
): MaybePromise<StoredModel[]> {
  const opened = rows.map((r) => openModel(box, perspective, r));
  return opened.some(isThenable)
    ? (Promise.all(opened) as Promise<StoredModel[]>)
    : (opened as StoredModel[]);
}

/**
 * `store` with every model sealed by `box`. It declares no fields to the store under it (an index
 * of ciphertext answers nothing), so every query scans the perspective's models for the tenant.
 */
export function atRestStore(store: PerspectiveStore, box: Box): PerspectiveStore {
  const scan = (perspective: string, tenant: string): MaybePromise<StoredModel[]> =>
    chain(store.query(perspective, tenant, {}), (rows) => openModels(box, perspective, rows));
  const out: PerspectiveStore = {
    get: (perspective, tenant, id) =>
      chain(store.get(perspective, tenant, id), (row) => openModel(box, perspective, row)),
    query: (perspective, tenant, query: Query) =>
      chain(scan(perspective, tenant), (rows) => runQuery(rows, (r) => r.model, query)),
    count: (perspective, tenant, where: Where | undefined) =>
      chain(scan(perspective, tenant), (rows) => countMatches(rows, (r) => r.model, where)),
    checkpoint: (perspective) => store.checkpoint(perspective),
    transaction: (fn) => store.transaction((tx) => withAtRestWriter(tx, box, fn)),
    clear: (perspective) => store.clear(perspective),
  };
  if (store.outbox !== undefined) Object.assign(out, { outbox: atRestOutbox(store.outbox, box) });
  if (store.watch !== undefined) out.watch = (listener) => store.watch!(listener);
  return out;
}
