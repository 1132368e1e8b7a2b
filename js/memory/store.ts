/**
 * The memory perspective store. Writes apply at once and keep an undo log, so a transaction that
 * throws leaves nothing behind; single-threaded JavaScript makes that all the isolation needed for
 * the synchronous path.
 */
import { isThenable, type MaybePromise } from '../maybe.ts';
import { type Query, runQuery } from '../query.ts';
import type { PerspectiveStore, StoredModel, StoreWriter } from '../store.ts';

type Rows = Map<string, Map<string, StoredModel>>; // tenant -> id -> row

/** Writes of one transaction, applied at once; the undo log is flat triples (map, key, previous). */
class MemoryTransaction implements StoreWriter {
  readonly #undo: unknown[] = [];
  readonly #perspectives: Map<string, Rows>;
  readonly #checkpoints: Map<string, number>;
  readonly #tenantRows: (perspective: string, tenant: string) => Map<string, StoredModel>;
  readonly get: (perspective: string, tenant: string, id: string) => StoredModel | undefined;

  constructor(
    perspectives: Map<string, Rows>,
    checkpoints: Map<string, number>,
    get: (perspective: string, tenant: string, id: string) => StoredModel | undefined,
    tenantRows: (perspective: string, tenant: string) => Map<string, StoredModel>,
  ) {
    this.#perspectives = perspectives;
    this.#checkpoints = checkpoints;
    this.get = get;
    this.#tenantRows = tenantRows;
  }

  put(perspective: string, row: StoredModel): void {
    const byId = this.#tenantRows(perspective, row.tenant);
    this.#undo.push(byId, row.id, byId.get(row.id));
    byId.set(row.id, row);
  }

  delete(perspective: string, tenant: string, id: string): void {
    const byId = this.#perspectives.get(perspective)?.get(tenant);
    const previous = byId?.get(id);
    if (byId === undefined || previous === undefined) return;
    this.#undo.push(byId, id, previous);
    byId.delete(id);
  }

  setCheckpoint(perspective: string, position: number): void {
    this.#undo.push(this.#checkpoints, perspective, this.#checkpoints.get(perspective));
    this.#checkpoints.set(perspective, position);
  }

  rollback(error: unknown): never {
    const undo = this.#undo;
    for (let i = undo.length - 3; i >= 0; i -= 3) {
      const map = undo[i] as Map<string, unknown>;
      const previous = undo[i + 2];
      if (previous === undefined) map.delete(undo[i + 1] as string);
      else map.set(undo[i + 1] as string, previous);
    }
    undo.length = 0;
    throw error;
  }
}

/** A perspective store in memory; also usable on its own as a test double. */
export interface MemoryStore extends PerspectiveStore {
  /** How many rows a perspective has, over all tenants. */
  size(perspective: string): number;
}

/** Creates an empty memory perspective store. */
export function memoryStore(): MemoryStore {
  const perspectives = new Map<string, Rows>();
  const checkpoints = new Map<string, number>();
  let busy: Promise<unknown> | undefined;

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

  const self: MemoryStore = {
    get,
    query(perspective: string, tenant: string, query: Query): StoredModel[] {
      const byId = perspectives.get(perspective)?.get(tenant);
      return runQuery(byId?.values() ?? [], (row) => row.model, query);
    },
    checkpoint: (perspective: string): number => checkpoints.get(perspective) ?? 0,
    transaction<T>(fn: (tx: StoreWriter) => MaybePromise<T>): MaybePromise<T> {
      // A transaction that awaits holds the store until it settles: the next one waits, so a
      // rollback never undoes another transaction's committed write.
      if (busy !== undefined) return busy.then(() => self.transaction(fn));
      const tx = new MemoryTransaction(perspectives, checkpoints, get, tenantRows);
      let result: MaybePromise<T>;
      try {
        result = fn(tx);
      } catch (error) {
        return tx.rollback(error);
      }
      if (!isThenable<T>(result)) return result;
      const settled = Promise.resolve(result).catch((e: unknown) => tx.rollback(e));
      const gate: Promise<unknown> = settled.then(
        () => undefined,
        () => undefined,
      );
      busy = gate;
      void gate.then(() => {
        if (busy === gate) busy = undefined;
      });
      return settled;
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
  return self;
}
