/**
 * One connection, one transaction at a time. A transaction whose work awaits keeps the connection's
 * transaction open until it settles; meanwhile every other transaction on the connection waits its
 * turn, so nothing of another's work lands inside it. When another process holds the write lock,
 * the gate waits for it on timers (the event loop runs on) up to the busy timeout, then refuses
 * with BUSY.
 */
import { isThenable } from '../../js/kit/mod.ts';
import type { MaybePromise } from '../../js/mod.ts';
import type { SqliteDatabase, SqliteStatement } from './engine.ts';
import { busyError, isBusy } from './errors.ts';

const pause = (ms: number): Promise<void> =>
  new Promise((resolve) =>
    (globalThis as unknown as { setTimeout(f: () => void, ms: number): unknown }).setTimeout(
      resolve,
      ms,
    ),
  );

/** Work the gate runs at the edges of every transaction (the store's deferred model writes). */
export interface TransactionHooks {
  /** Runs inside the transaction, right before COMMIT; a throw rolls the transaction back. */
  beforeCommit(): void;
  /** Runs when the transaction rolls back. */
  afterRollback(): void;
}

/** The transaction gate of one connection. */
export class Gate {
  #busy: Promise<unknown> | undefined;
  // prepared once: `exec` would parse the statement on every transaction
  readonly #begin: SqliteStatement;
  readonly #commit: SqliteStatement;
  readonly #rollback: SqliteStatement;
  #hooks: TransactionHooks | undefined;
  #open = false;
  readonly #busyTimeoutMs: number;

  constructor(db: SqliteDatabase, busyTimeoutMs = 5000) {
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
  }

  /** Whether a transaction of this gate is open. */
  get open(): boolean {
    return this.#open;
  }

  /** Sets the work run before every commit and after every rollback. */
  hook(hooks: TransactionHooks): void {
    this.#hooks = hooks;
  }

  #finish(): void {
    this.#hooks?.beforeCommit();
    this.#commit.run();
    this.#open = false;
  }

  /** Rolls back after `work` (or the commit) failed; the caller rethrows that failure. */
  #abort(): void {
    this.#open = false;
    this.#hooks?.afterRollback();
    try {
      this.#rollback.run();
    } catch {
      // SQLite already rolled back (an I/O or disk-full error does): the first error is the one to tell
    }
  }

  /** Runs `work` in `BEGIN IMMEDIATE … COMMIT`; synchronous while `work` is. */
  run<T>(work: () => MaybePromise<T>): MaybePromise<T> {
    if (this.#busy !== undefined) return this.#busy.then(() => this.run(work));
    try {
      this.#begin.run();
    } catch (error) {
      if (!isBusy(error)) throw error;
      return this.#hold(this.#lock(error).then(() => this.#inside(work)));
    }
    return this.#inside(work);
  }

  /** Waits for the write lock, on timers, until it is taken or the busy timeout has passed. */
  async #lock(first: unknown): Promise<void> {
    const started = Date.now();
    let last = first;
    for (let wait = 1; Date.now() - started < this.#busyTimeoutMs; wait = Math.min(wait * 2, 50)) {
      await pause(wait);
      try {
        this.#begin.run();
        return;
      } catch (error) {
        if (!isBusy(error)) throw error;
        last = error;
      }
    }
    throw busyError(Date.now() - started, last);
  }

  /** Holds the connection until `settled` settles: other transactions wait their turn. */
  #hold<T>(settled: Promise<T>): Promise<T> {
    const busy: Promise<unknown> = settled.then(
      () => undefined,
      () => undefined,
    );
    this.#busy = busy;
    void busy.then(() => {
      if (this.#busy === busy) this.#busy = undefined;
    });
    return settled;
  }

  /** Runs `work` in the transaction just begun, and commits (or rolls back). */
  #inside<T>(work: () => MaybePromise<T>): MaybePromise<T> {
    this.#open = true;
    let result: MaybePromise<T>;
    try {
      result = work();
      if (!isThenable<T>(result)) {
        this.#finish();
        return result;
      }
    } catch (error) {
      this.#abort();
      throw error;
    }
    const settled = Promise.resolve(result).then(
      (value) => {
        try {
          this.#finish();
        } catch (error) {
          this.#abort();
          throw error;
        }
        return value;
      },
      (error: unknown) => {
        this.#abort();
        throw error;
      },
    );
    return this.#hold(settled);
  }
}
