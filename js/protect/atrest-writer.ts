/**
 * The writer of one transaction on an encrypted store. Models are opened once and sealed once per
 * transaction: a model read is kept opened, a model written is kept as written, and the writes are
 * sealed and handed to the store's writer when the transaction's work is done (before it commits),
 * so a rebuild applying a page of events to the same models seals each model once, not once per
 * event.
 */
import type { StoredModel, StoreWriter } from '../contracts/store.ts';
import { chain, each, type MaybePromise } from '../util/maybe.ts';
import { type Box, contextOf } from './atrest-box.ts';
import { atRestOutboxWriter } from './atrest-outbox.ts';

/** The associated data of a model: its perspective, tenant and id. */
export const modelContext = (perspective: string, tenant: string, id: string): string =>
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

const keyOf = (perspective: string, tenant: string, id: string): string =>
  JSON.stringify([perspective, tenant, id]);

/**
 * Runs `work` with a writer over `tx` that seals what it writes and opens what it reads, then
 * seals and writes the models it kept; a throw from `work` writes none of them.
 */
export function withAtRestWriter<T>(
  tx: StoreWriter,
  box: Box,
  work: (writer: StoreWriter) => MaybePromise<T>,
): MaybePromise<T> {
  // opened models by key: undefined for a model known to be absent (deleted here)
  const seen = new Map<string, StoredModel | undefined>();
  // models written and not handed to `tx` yet, by key, with their perspective
  const dirty = new Map<string, { perspective: string; row: StoredModel }>();
  const writer: StoreWriter = {
    get(perspective, tenant, id) {
      const key = keyOf(perspective, tenant, id);
      if (seen.has(key)) return seen.get(key);
      return chain(tx.get(perspective, tenant, id), (row) =>
        chain(openModel(box, perspective, row), (opened) => {
          seen.set(key, opened);
          return opened;
        }),
      );
    },
    put(perspective, row) {
      const key = keyOf(perspective, row.tenant, row.id);
      seen.set(key, row);
      dirty.set(key, { perspective, row });
    },
    delete(perspective, tenant, id) {
      const key = keyOf(perspective, tenant, id);
      seen.set(key, undefined);
      dirty.delete(key);
      return tx.delete(perspective, tenant, id);
    },
    setCheckpoint: (perspective, position) => tx.setCheckpoint(perspective, position),
    ...(tx.checkpoint === undefined
      ? {}
      : { checkpoint: (perspective: string) => tx.checkpoint!(perspective) }),
    ...(tx.outbox === undefined ? {} : { outbox: atRestOutboxWriter(tx.outbox, box) }),
  };
  const flush = (): MaybePromise<void> =>
    each([...dirty.values()], ({ perspective, row }) =>
      chain(sealModel(box, perspective, row), (sealed) => tx.put(perspective, sealed)),
    );
  return chain(work(writer), (result) => chain(flush(), () => result));
}
