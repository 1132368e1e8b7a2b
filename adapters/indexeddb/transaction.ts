/**
 * One IndexedDB transaction that stays open while the work inside it awaits something else.
 *
 * IndexedDB commits a transaction as soon as a task ends with no request of it pending, and only
 * lets requests be placed while it is active (in the task that made it, or in a request's event
 * handler). Inline perspectives may await anything, so while their work is unsettled one cheap
 * request is kept in flight (a keep-alive), and a request made while the transaction is inactive
 * is queued and placed from the next request's handler. The work's writes therefore all land in
 * this one transaction, and nothing is kept if it fails.
 */

/** How hard a commit is flushed to disk (the IndexedDB transaction `durability` hint). */
export type Durability = 'strict' | 'relaxed' | 'default';

const isNamed = (error: unknown, name: string): boolean =>
  (error as { name?: unknown } | null)?.name === name;

/** IndexedDB's error as the one to report: a full quota becomes STORAGE_QUOTA. */
export function storageError(error: unknown): unknown {
  if (isNamed(error, 'QuotaExceededError')) {
    return new WhizbangError(
      'STORAGE_QUOTA',
      'The browser refused to store more for this site (its storage quota is used up); nothing of this transaction was written. ' +
        'See what is stored with driver.storage(), free space with driver.compact() or by deleting data the app no longer needs, ' +
        'and ask for persistent storage with navigator.storage.persist().',
      { cause: error },
    );
  }
  if (isNamed(error, 'InvalidStateError')) {
    return new WhizbangError(
      'CLOSED',
      'The IndexedDB connection is closed (the driver was closed, or another tab upgraded the database): open the driver again.',
      { cause: error },
    );
  }
  return error ?? new WhizbangError('CLOSED', 'The IndexedDB transaction was aborted.');
}

const ended = (): WhizbangError =>
  new WhizbangError(
    'CLOSED',
    'This transaction has already committed: a write that is not awaited by the transaction callback lands outside it. Await every write.',
  );

const KEEP_ALIVE_KEY: IDBValidKey = [];

/** A transaction over some stores; requests go through it so that its work can await freely. */
export class Transaction {
  readonly #tx: IDBTransaction;
  readonly #probe: string;
  readonly #done: Promise<void>;
  readonly #queue: (() => void)[] = [];
  #pending = 0;
  #holding = 0;
  #ended = false;
  #failed = false;
  #reason: unknown;

  constructor(
    db: IDBDatabase,
    stores: readonly string[],
    mode: IDBTransactionMode,
    durability: Durability,
  ) {
    try {
      this.#tx = db.transaction(stores as string[], mode, { durability });
    } catch (error) {
      throw storageError(error);
    }
    this.#probe = stores[0]!;
    this.#done = new Promise((resolve, reject) => {
      this.#tx.oncomplete = () => {
        this.#ended = true;
        this.#settleQueue();
        resolve();
      };
      this.#tx.onabort = () => {
        this.#ended = true;
        this.#note(this.#tx.error);
        this.#settleQueue();
        reject(this.#reason);
      };
    });
    this.#done.catch(() => {}); // reported through finish()
  }

  /** An object store of the transaction; only while it is active. */
  store(name: string): IDBObjectStore {
    return this.#tx.objectStore(name);
  }

  /**
   * Places a request now, while the transaction is active (its first task, or a request's
   * handler); `then` runs in the success handler, so it may place further requests. A throw from
   * `then`, or a failed request, aborts the transaction; `failed` hears of the request's error.
   */
  call<T>(
    make: (tx: IDBTransaction) => IDBRequest<T>,
    then?: (result: T) => void,
    failed?: (error: DOMException | null) => void,
  ): void {
    const request = make(this.#tx);
    this.#pending++;
    request.onsuccess = () => {
      this.#pending--;
      if (then !== undefined) {
        try {
          then(request.result);
        } catch (error) {
          this.fail(error);
        }
      }
      this.#tick();
    };
    request.onerror = () => {
      this.#pending--;
      failed?.(request.error);
      this.#note(request.error); // and IndexedDB aborts the transaction
      this.#tick();
    };
  }

  /**
   * Places a request whenever the work asks, active or not, and settles with its result.
   * `refuse` may turn a request's error into one the work can handle (the transaction then
   * stays open); otherwise a failed request aborts the transaction.
   */
  request<T>(
    make: (tx: IDBTransaction) => IDBRequest<T>,
    refuse?: (error: DOMException | null) => unknown,
  ): Promise<T> {
    const settled = new Promise<T>((resolve, reject) => {
      const attempt = (): void => {
        if (this.#failed) {
          reject(this.#reason);
          return;
        }
        let request: IDBRequest<T>;
        try {
          request = make(this.#tx);
        } catch (error) {
          const busy = this.#holding > 0 || this.#pending > 0;
          // finished with nothing of it in flight: it committed, and its complete event has not
          // been delivered yet (a busy machine)
          const over =
            isNamed(error, 'TransactionInactiveError') ||
            (isNamed(error, 'InvalidStateError') && (this.#ended || !busy));
          if (!over) reject(storageError(error));
          // inactive between tasks while the work awaits: placed from the next request's handler
          else if (!this.#ended && busy) this.#queue.push(attempt);
          else reject(this.#failed ? this.#reason : ended());
          return;
        }
        this.#pending++;
        request.onsuccess = () => {
          this.#pending--;
          resolve(request.result);
          this.#tick();
        };
        request.onerror = (event) => {
          this.#pending--;
          const refused = refuse?.(request.error);
          if (refused === undefined) {
            this.#note(request.error);
            reject(storageError(request.error));
          } else {
            event.preventDefault(); // the work decides: the transaction stays open
            reject(refused);
          }
          this.#tick();
        };
      };
      attempt();
    });
    settled.catch(() => {}); // a write nobody awaits must not become an unhandled rejection
    return settled;
  }

  /**
   * Keeps the transaction open until `work` settles; a rejection aborts it with that reason.
   * Call while the transaction is active.
   */
  hold(work: PromiseLike<unknown>): void {
    this.#holding++;
    if (this.#pending === 0) this.#keepAlive();
    work.then(
      () => {
        this.#holding--;
      },
      (error: unknown) => {
        this.#holding--;
        this.fail(error);
      },
    );
  }

  /** Aborts the transaction; `error` is what it rejects with (the first reason wins). */
  fail(error: unknown): void {
    this.#note(error);
    if (this.#ended) return;
    try {
      this.#tx.abort();
    } catch {
      // already committing or finished: the abort event, or none, tells the outcome
    }
  }

  /** Settles once the transaction has committed (with `value()`), or rejects with why it did not. */
  finish<T>(value: () => T): Promise<T> {
    return this.#done.then(() => {
      if (this.#failed) throw this.#reason;
      return value();
    });
  }

  #note(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#reason = storageError(error);
  }

  /** In a request's handler, while the transaction is active: place what waited, stay open. */
  #tick(): void {
    if (this.#ended) return;
    while (this.#queue.length > 0) this.#queue.shift()!();
    if (this.#holding > 0 && this.#pending === 0 && !this.#failed) this.#keepAlive();
  }

  /** Once the transaction is over, what still waits to be placed is refused. */
  #settleQueue(): void {
    const waiting = this.#queue.splice(0);
    for (const attempt of waiting) attempt();
  }

  #keepAlive(): void {
    const request = this.#tx.objectStore(this.#probe).getKey(KEEP_ALIVE_KEY);
    this.#pending++;
    request.onsuccess = request.onerror = () => {
      this.#pending--;
      this.#tick();
    };
  }
}

/** Settles with a read request's result (reads need no commit to be true). */
export function read<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(storageError(request.error));
  });
}

import { WhizbangError } from '../../js/mod.ts';
