/**
 * The memory perspective store, with its outbox and inbox. Writes apply at once and keep an undo
 * log, so a transaction that throws leaves nothing behind; single-threaded JavaScript makes that
 * all the isolation the synchronous path needs, and a transaction that awaits holds the store.
 */

import type {
  DeadLetterRecord,
  OutboxCounts,
  OutboxRecord,
  OutboxStore,
  OutboxWriter,
} from '../contracts/outbox.ts';
import type { Query, Where } from '../contracts/query.ts';
import type { PerspectiveStore, StoredModel, StoreWriter } from '../contracts/store.ts';
import { type Limits, limitsOf } from '../kit/limits.ts';
import { dueRecords } from '../kit/outbox.ts';
import { countMatches, runQuery } from '../kit/query.ts';
import { WhizbangError } from '../util/errors.ts';
import { isThenable, type MaybePromise } from '../util/maybe.ts';
import { IndexedRows } from './indexed-rows.ts';

type Rows = Map<string, IndexedRows>; // tenant -> id -> row

/** Everything the store holds. */
interface State {
  readonly perspectives: Map<string, Rows>;
  /** The declared index fields of each perspective. */
  readonly indexes: Map<string, readonly string[]>;
  readonly checkpoints: Map<string, number>;
  /** In line order: a retried record keeps its place. */
  readonly outbox: Map<string, OutboxRecord>;
  readonly deadLetters: Map<string, DeadLetterRecord>;
  /** `tenant \0 messageId` of handled incoming messages, oldest first: `true`, or the rest as JSON. */
  readonly inbox: Map<string, true | string>;
  readonly inboxLimit: number;
}

function tenantRows(state: State, perspective: string, tenant: string): IndexedRows {
  let rows = state.perspectives.get(perspective);
  if (rows === undefined) {
    rows = new Map();
    state.perspectives.set(perspective, rows);
  }
  let byId = rows.get(tenant);
  if (byId === undefined) {
    byId = new IndexedRows();
    byId.index(state.indexes.get(perspective) ?? []);
    rows.set(tenant, byId);
  }
  return byId;
}

/** Writes of one transaction, applied at once; the undo log is flat triples (map, key, previous). */
class MemoryTransaction implements StoreWriter, OutboxWriter {
  readonly #undo: unknown[] = [];
  readonly #state: State;
  readonly outbox: OutboxWriter = this;

  constructor(state: State) {
    this.#state = state;
  }

  get(perspective: string, tenant: string, id: string): StoredModel | undefined {
    return this.#state.perspectives.get(perspective)?.get(tenant)?.get(id);
  }

  put(perspective: string, row: StoredModel): void {
    const byId = tenantRows(this.#state, perspective, row.tenant);
    this.#undo.push(byId, row.id, byId.get(row.id));
    byId.set(row.id, row);
  }

  delete(perspective: string, tenant: string, id: string): void {
    const byId = this.#state.perspectives.get(perspective)?.get(tenant);
    const previous = byId?.get(id);
    if (byId === undefined || previous === undefined) return;
    this.#undo.push(byId, id, previous);
    byId.delete(id);
  }

  checkpoint(perspective: string): number {
    return this.#state.checkpoints.get(perspective) ?? 0;
  }

  setCheckpoint(perspective: string, position: number): void {
    const checkpoints = this.#state.checkpoints;
    this.#undo.push(checkpoints, perspective, checkpoints.get(perspective));
    checkpoints.set(perspective, position);
  }

  enqueue(records: readonly OutboxRecord[]): void {
    const outbox = this.#state.outbox;
    for (const record of records) {
      this.#undo.push(outbox, record.id, outbox.get(record.id));
      outbox.set(record.id, record);
    }
  }

  markHandled(tenant: string, messageId: string, rest?: unknown): void {
    const { inbox, inboxLimit } = this.#state;
    const key = `${tenant}\u0000${messageId}`;
    if (inbox.has(key)) {
      throw new WhizbangError(
        'DUPLICATE_MESSAGE',
        `Message ${messageId} was handled already; this delivery is a duplicate.`,
      );
    }
    // kept as JSON, as a database would keep it: what comes back is a copy
    const value = rest === undefined ? true : JSON.stringify(rest);
    this.#undo.push(inbox, key, undefined);
    inbox.set(key, value);
    // a window of the newest ids: redeliveries come soon after the first, not days later
    if (inbox.size > inboxLimit) inbox.delete(inbox.keys().next().value!);
  }

  markFinished(tenant: string, messageId: string): void {
    const { inbox } = this.#state;
    const key = `${tenant}\u0000${messageId}`;
    const previous = inbox.get(key);
    if (previous === undefined || previous === true) return;
    this.#undo.push(inbox, key, previous);
    inbox.set(key, true);
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
  /** The outbox and inbox. */
  readonly outbox: OutboxStore;
  /** How many rows a perspective has, over all tenants. */
  size(perspective: string): number;
}

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** How many handled message ids the inbox remembers (default 100 000). */
  readonly inboxLimit?: number;
  /** The limits lens queries are checked against (`DEFAULT_LIMITS` otherwise). */
  readonly limits?: Partial<Limits>;
}

/** Creates an empty memory perspective store. */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const state: State = {
    perspectives: new Map(),
    checkpoints: new Map(),
    indexes: new Map(),
    outbox: new Map(),
    deadLetters: new Map(),
    inbox: new Map(),
    inboxLimit: options.inboxLimit ?? 100_000,
  };
  const limits = limitsOf(options.limits);
  let busy: Promise<unknown> | undefined;

  const outbox: OutboxStore = {
    pending: (limit: number, now: number): OutboxRecord[] =>
      dueRecords(state.outbox.values(), limit, now),
    delivered(ids: readonly string[]): void {
      for (const id of ids) state.outbox.delete(id);
    },
    retryLater(id: string, error: string, availableAt: number): void {
      const record = state.outbox.get(id);
      if (record === undefined) return;
      // set on a key it has keeps the record's place in line
      state.outbox.set(id, {
        ...record,
        attempts: record.attempts + 1,
        availableAt,
        lastError: error,
      });
    },
    deadLetter(id: string, error: string, at: number): void {
      const record = state.outbox.get(id);
      if (record === undefined) return;
      state.outbox.delete(id);
      state.deadLetters.set(id, {
        ...record,
        attempts: record.attempts + 1,
        lastError: error,
        deadAt: at,
      });
    },
    deadLetters: (limit?: number): DeadLetterRecord[] =>
      [...state.deadLetters.values()].slice(0, limit ?? Number.POSITIVE_INFINITY),
    replay(ids?: readonly string[]): number {
      const now = Date.now();
      let moved = 0;
      for (const id of ids ?? [...state.deadLetters.keys()]) {
        const letter = state.deadLetters.get(id);
        if (letter === undefined) continue;
        state.deadLetters.delete(id);
        const { lastError: _error, deadAt: _at, ...record } = letter;
        state.outbox.delete(id);
        state.outbox.set(id, { ...record, attempts: 0, availableAt: now });
        moved++;
      }
      return moved;
    },
    counts: (): OutboxCounts => ({
      outbox: state.outbox.size,
      deadLetters: state.deadLetters.size,
      inbox: state.inbox.size,
    }),
    handled: (tenant: string, messageId: string): boolean =>
      state.inbox.has(`${tenant}\u0000${messageId}`),
    unfinished(tenant: string, messageId: string): unknown {
      const value = state.inbox.get(`${tenant}\u0000${messageId}`);
      return typeof value === 'string' ? JSON.parse(value) : undefined;
    },
  };

  const self: MemoryStore = {
    get: (perspective: string, tenant: string, id: string): StoredModel | undefined =>
      state.perspectives.get(perspective)?.get(tenant)?.get(id),
    query(perspective: string, tenant: string, query: Query): StoredModel[] {
      const byId = state.perspectives.get(perspective)?.get(tenant);
      const rows = byId?.candidates(query.where) ?? byId?.values() ?? [];
      return runQuery(rows, (row) => row.model, query, limits);
    },
    count(perspective: string, tenant: string, where: Where | undefined): number {
      const byId = state.perspectives.get(perspective)?.get(tenant);
      const rows = byId?.candidates(where) ?? byId?.values() ?? [];
      return countMatches(rows, (row) => row.model, where, limits);
    },
    declare(perspective: string, fields: readonly string[]): void {
      state.indexes.set(perspective, fields);
      for (const byId of state.perspectives.get(perspective)?.values() ?? []) byId.index(fields);
    },
    checkpoint: (perspective: string): number => state.checkpoints.get(perspective) ?? 0,
    transaction<T>(fn: (tx: StoreWriter) => MaybePromise<T>): MaybePromise<T> {
      // A transaction that awaits holds the store until it settles: the next one waits, so a
      // rollback never undoes another transaction's committed write.
      if (busy !== undefined) return busy.then(() => self.transaction(fn));
      const tx = new MemoryTransaction(state);
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
      state.perspectives.delete(perspective);
      state.checkpoints.delete(perspective);
    },
    size(perspective: string): number {
      let n = 0;
      for (const byId of state.perspectives.get(perspective)?.values() ?? []) n += byId.size;
      return n;
    },
    outbox,
  };
  return self;
}
