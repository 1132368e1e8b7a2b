/**
 * The memory perspective store. Writes apply at once and keep an undo log, so a transaction that
 * throws leaves nothing behind; single-threaded JavaScript makes that all the isolation needed for
 * the synchronous path.
 */
import { isThenable, type MaybePromise } from '../maybe.ts';
import { type Query, runQuery } from '../query.ts';
import type { PerspectiveStore, StoredModel, StoreWriter } from '../store.ts';

type Rows = Map<string, Map<string, StoredModel>>; // tenant -> id -> row

/** A perspective store in memory; also usable on its own as a test double. */
export interface MemoryStore extends PerspectiveStore {
  /** How many rows a perspective has, over all tenants. */
  size(perspective: string): number;
}

/** Creates an empty memory perspective store. */
export function memoryStore(): MemoryStore {
  const perspectives = new Map<string, Rows>();
  const checkpoints = new Map<string, number>();

  const rowsOf = (perspective: string): Rows => {
    let rows = perspectives.get(perspective);
    if (rows === undefined) {
      rows = new Map();
      perspectives.set(perspective, rows);
    }
    return rows;
  };
  const tenantRows = (perspective: string, tenant: string): Map<string, StoredModel> => {
    const rows = rowsOf(perspective);
    let byId = rows.get(tenant);
    if (byId === undefined) {
      byId = new Map();
      rows.set(tenant, byId);
    }
    return byId;
  };
  const get = (perspective: string, tenant: string, id: string): StoredModel | undefined =>
    perspectives.get(perspective)?.get(tenant)?.get(id);

  return {
    get,
    query(perspective: string, tenant: string, query: Query): StoredModel[] {
      const byId = perspectives.get(perspective)?.get(tenant);
      return runQuery(byId?.values() ?? [], (row) => row.model, query);
    },
    checkpoint: (perspective: string): number => checkpoints.get(perspective) ?? 0,
    transaction<T>(fn: (tx: StoreWriter) => MaybePromise<T>): MaybePromise<T> {
      const undo: Array<() => void> = [];
      const tx: StoreWriter = {
        get,
        put(perspective, row) {
          const byId = tenantRows(perspective, row.tenant);
          const previous = byId.get(row.id);
          undo.push(() => (previous ? byId.set(row.id, previous) : byId.delete(row.id)));
          byId.set(row.id, row);
        },
        delete(perspective, tenant, id) {
          const byId = perspectives.get(perspective)?.get(tenant);
          const previous = byId?.get(id);
          if (byId && previous) {
            undo.push(() => byId.set(id, previous));
            byId.delete(id);
          }
        },
        setCheckpoint(perspective, position) {
          const previous = checkpoints.get(perspective);
          undo.push(() =>
            previous === undefined
              ? checkpoints.delete(perspective)
              : checkpoints.set(perspective, previous),
          );
          checkpoints.set(perspective, position);
        },
      };
      const rollback = (error: unknown): never => {
        for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
        throw error;
      };
      let result: MaybePromise<T>;
      try {
        result = fn(tx);
      } catch (error) {
        return rollback(error);
      }
      return isThenable<T>(result) ? Promise.resolve(result).catch(rollback) : result;
    },
    clear(perspective: string): void {
      perspectives.delete(perspective);
      checkpoints.delete(perspective);
    },
    size(perspective: string): number {
      let n = 0;
      for (const byId of perspectives.get(perspective)?.values() ?? []) n += byId.size;
      return n;
    },
  };
}
