/**
 * One connection, one transaction at a time. A transaction whose work awaits keeps the connection's
 * transaction open until it settles; meanwhile every other transaction on the connection waits its
 * turn, so nothing of another's work lands inside it.
 */
import { isThenable, type MaybePromise } from '../../js/maybe.ts';
import type { SqliteDatabase } from './engine.ts';

/** The transaction gate of one connection. */
export class Gate {
  readonly #db: SqliteDatabase;
  #busy: Promise<unknown> | undefined;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /** Runs `work` in `BEGIN IMMEDIATE … COMMIT`; synchronous while `work` is. */
  run<T>(work: () => MaybePromise<T>): MaybePromise<T> {
    if (this.#busy !== undefined) return this.#busy.then(() => this.run(work));
    const db = this.#db;
    db.exec('BEGIN IMMEDIATE');
    let result: MaybePromise<T>;
    try {
      result = work();
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
    if (!isThenable<T>(result)) {
      db.exec('COMMIT');
      return result;
    }
    const settled = Promise.resolve(result).then(
      (value) => {
        db.exec('COMMIT');
        return value;
      },
      (error: unknown) => {
        db.exec('ROLLBACK');
        throw error;
      },
    );
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
}
