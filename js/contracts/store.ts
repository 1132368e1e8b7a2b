/**
 * The perspective store: where read models live, with their checkpoints. Writes go through a
 * {@link StoreWriter} that belongs to one transaction (an append's, or a batch of an async
 * perspective's events together with its checkpoint).
 */
import type { MaybePromise } from '../util/maybe.ts';
import type { OutboxStore, OutboxWriter } from './outbox.ts';
import type { Query, Where } from './query.ts';

/** A read model as stored, with its bookkeeping. */
export interface StoredModel<M = unknown> {
  /** The model's id (by default its stream id). */
  readonly id: string;
  /** The tenant it belongs to. */
  readonly tenant: string;
  /** The model itself. */
  readonly model: M;
  /** How many events have been applied to it. */
  readonly version: number;
  /** Global position of the last event applied. */
  readonly position: number;
  /** When it last changed, epoch milliseconds. */
  readonly updatedAt: number;
}

/** Reads and writes inside one transaction. */
export interface StoreWriter {
  /** The stored model by id, as this transaction sees it. */
  get(perspective: string, tenant: string, id: string): MaybePromise<StoredModel | undefined>;
  /** Writes a model (inserting or replacing it). */
  put(perspective: string, row: StoredModel): MaybePromise<void>;
  /** Deletes a model. */
  delete(perspective: string, tenant: string, id: string): MaybePromise<void>;
  /** Moves a perspective's checkpoint to `position`. */
  setCheckpoint(perspective: string, position: number): MaybePromise<void>;
  /**
   * Optional, for stores shared by several instances: a perspective's checkpoint as this
   * transaction sees it, held until the transaction ends (a row lock), so that two instances
   * applying the same batch cannot both commit it. An async perspective reads it first and
   * applies nothing when another instance moved it meanwhile.
   */
  checkpoint?(perspective: string): MaybePromise<number>;
  /** Present when the store keeps an outbox and inbox (same transaction as everything else). */
  readonly outbox?: OutboxWriter;
}

/**
 * Models changed by another connection, tab or process, as a store that can tell (see
 * {@link PerspectiveStore.watch}) reports them. Every field is a hint: absent means "any".
 */
export interface StoreChange {
  /** The perspectives whose models changed; absent when the store cannot say. */
  readonly perspectives?: readonly string[];
  /**
   * The ledger's head after the commit that changed them, when the change came with an append:
   * the app skips a notice of its own commit by it.
   */
  readonly position?: number;
}

/** Read models and checkpoints, behind a driver. */
export interface PerspectiveStore {
  /** The stored model of a perspective by id, for a tenant. */
  get(perspective: string, tenant: string, id: string): MaybePromise<StoredModel | undefined>;
  /** The stored models of a perspective for a tenant that match `query`. */
  query(perspective: string, tenant: string, query: Query): MaybePromise<StoredModel[]>;
  /**
   * Optional: how many models of a perspective for a tenant match `where`, without reading them;
   * a store without it is counted through `query`.
   */
  count?(perspective: string, tenant: string, where: Where | undefined): MaybePromise<number>;
  /**
   * Optional: the fields a perspective is queried by (dotted paths of identifiers), told before
   * the app writes or reads its models. A store keeps them in indexes (SQL expression indexes,
   * IndexedDB index entries, maps) and answers queries on them from there; other fields are
   * answered by a scan.
   */
  declare?(perspective: string, fields: readonly string[]): MaybePromise<void>;
  /** Global position up to which a perspective has applied events; 0 when never. */
  checkpoint(perspective: string): MaybePromise<number>;
  /** Runs `fn` in one transaction; nothing is kept when it throws. */
  transaction<T>(fn: (tx: StoreWriter) => MaybePromise<T>): MaybePromise<T>;
  /** Deletes every row and the checkpoint of a perspective (for a rebuild). */
  clear(perspective: string): MaybePromise<void>;
  /** Present when the store keeps an outbox and inbox. */
  readonly outbox?: OutboxStore;
  /**
   * Optional, for live lenses: calls `listener` (coalesced, never synchronously) after another
   * connection, tab or process committed changes to models; changes made through this store
   * object need not be told (the app sees those itself). Returns an unsubscribe function; a store
   * without it is watched through `ledger.watch`, which misses models written without an append
   * (another process's async perspectives).
   */
  watch?(listener: (change: StoreChange) => void): () => void;
}

/** A perspective store whose reads and transactions answer with promises: one over an asynchronous database. */
export interface AsyncPerspectiveStore extends PerspectiveStore {
  /** The stored model of a perspective by id, for a tenant. */
  get(perspective: string, tenant: string, id: string): Promise<StoredModel | undefined>;
  /** The stored models of a perspective for a tenant that match `query` (filter, order, page). */
  query(perspective: string, tenant: string, query: Query): Promise<StoredModel[]>;
  /** The global position a perspective has applied up to (0 before any). */
  checkpoint(perspective: string): Promise<number>;
  /** Runs `fn` with a writer in one transaction: every write in it lands, or none. */
  transaction<T>(fn: (tx: StoreWriter) => MaybePromise<T>): Promise<T>;
}
