/**
 * A perspective store whose models are stored encrypted: each model sealed into its `model`,
 * bound to its perspective, tenant and id; the id, version, position and time stay clear.
 * Queries cannot run on ciphertext: they read the perspective's models for the tenant, open them
 * and filter, sort and page in memory with the evaluator every driver is checked against.
 */
import type { Query, Where } from '../contracts/query.ts';
import type { PerspectiveStore, StoredModel, StoreWriter } from '../contracts/store.ts';
import { countMatches, runQuery } from '../kit/query.ts';
import { chain, isThenable, type MaybePromise } from '../util/maybe.ts';
import { type Box, contextOf } from './atrest-box.ts';
import { atRestOutbox, atRestOutboxWriter } from './atrest-outbox.ts';

const modelContext = (perspective: string, tenant: string, id: string): string =>
  contextOf('model', perspective, tenant, id);

/** A stored model opened; AT_REST_TAMPERED when it does not authenticate. */
export function openModel(
  box: Box,
  perspective: string,
  row: StoredModel | undefined,
): MaybePromise<StoredModel | undefined> {
  if (row === undefined) return undefined;
  const what = () => `model "${row.id}" of perspective "${perspective}" (tenant "${row.tenant}")`;
  return chain(
    box.open(modelContext(perspective, row.tenant, row.id), row.model, what),
    (model) => ({
      ...row,
      model,
    }),
  );
}

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

/** `row` with its model sealed by `box`. */
export function sealModel(
  box: Box,
  perspective: string,
  row: StoredModel,
): MaybePromise<StoredModel> {
  return chain(
    box.seal(modelContext(perspective, row.tenant, row.id), row.model, perspective, 'model'),
    (model) => ({ ...row, model }),
  );
}

/** The writer of one transaction, sealing what it writes and opening what it reads. */
export function atRestWriter(tx: StoreWriter, box: Box): StoreWriter {
  const out: StoreWriter = {
    get: (perspective, tenant, id) =>
      chain(tx.get(perspective, tenant, id), (row) => openModel(box, perspective, row)),
    put: (perspective, row) =>
      chain(sealModel(box, perspective, row), (sealed) => tx.put(perspective, sealed)),
    delete: (perspective, tenant, id) => tx.delete(perspective, tenant, id),
    setCheckpoint: (perspective, position) => tx.setCheckpoint(perspective, position),
    ...(tx.checkpoint === undefined
      ? {}
      : { checkpoint: (perspective: string) => tx.checkpoint!(perspective) }),
    ...(tx.outbox === undefined ? {} : { outbox: atRestOutboxWriter(tx.outbox, box) }),
  };
  return out;
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
    transaction: (fn) => store.transaction((tx) => fn(atRestWriter(tx, box))),
    clear: (perspective) => store.clear(perspective),
  };
  if (store.outbox !== undefined) Object.assign(out, { outbox: atRestOutbox(store.outbox, box) });
  if (store.watch !== undefined) out.watch = (listener) => store.watch!(listener);
  return out;
}
