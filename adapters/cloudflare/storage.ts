/**
 * A Durable Object's SQLite storage (`ctx.storage.sql`) behind the engine interface of the SQLite
 * adapter, and its transaction gate: Durable Objects refuse `BEGIN`, so a transaction is the
 * storage's own `transaction()`, which rolls back when its work throws or rejects.
 */
import { isThenable } from '../../js/kit/mod.ts';
import type { MaybePromise } from '../../js/mod.ts';
import type { SqliteDatabase, SqliteStatement } from '../sqlite/engine.ts';
import { Gate, type TransactionHooks } from '../sqlite/gate.ts';

/** The cursor `sql.exec` returns (the part the driver reads). */
export interface SqlStorageCursor extends Iterable<Record<string, unknown>> {
  /** Every row as an object. */
  toArray(): Record<string, unknown>[];
  /** Every row as an array of its column values. */
  raw(): Iterable<unknown[]>;
  /** Rows written by the statement. */
  readonly rowsWritten: number;
}

/** A Durable Object's `ctx.storage.sql`. */
export interface SqlStorage {
  /** Runs one statement (or several without bindings) and returns its cursor. */
  exec(query: string, ...bindings: unknown[]): SqlStorageCursor;
}

/** A Durable Object's `ctx.storage` (the part the driver uses). */
export interface DurableObjectStorage {
  /** The object's SQLite database (a class declared with `new_sqlite_classes`). */
  readonly sql: SqlStorage;
  /** Runs `work` in one transaction, synchronously; a throw rolls it back. */
  transactionSync<T>(work: () => T): T;
  /** Runs `work` in one transaction; a rejection rolls it back. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
}

// SQLite in a Durable Object binds strings, numbers, nulls and bytes
const bindable = (p: unknown): unknown =>
  p === undefined ? null : typeof p === 'boolean' || typeof p === 'bigint' ? Number(p) : p;
// the parameters as they are when they bind already (most do): no copy per statement
const bind = (params: unknown[]): unknown[] => {
  for (const p of params) {
    if (p === undefined || typeof p === 'boolean' || typeof p === 'bigint') {
      return params.map(bindable);
    }
  }
  return params;
};

// an insert of one event row (whose row id is its position), without RETURNING of its own
const INTO_EVENTS = /^\s*INSERT INTO whizbang_events\b(?![\s\S]*\bRETURNING\b)/i;

/** Adapts `ctx.storage.sql` to the SQLite adapter's engine interface (statements are cached by workerd). */
export function fromSqlStorage(sql: SqlStorage, name = 'durable-object'): SqliteDatabase {
  const prepare = (text: string): SqliteStatement => {
    // made once, not per call (workerd finds its compiled statement by the text)
    const returning = `${text} RETURNING position`;
    return {
      run: INTO_EVENTS.test(text)
        ? (...params) => {
            // the position the row got, in the same statement (the ledger reads it back otherwise)
            const cursor = sql.exec(returning, ...bind(params));
            const row = Array.from(cursor.raw())[0] as [number] | undefined;
            return { changes: cursor.rowsWritten, lastInsertRowid: row?.[0] ?? 0 };
          }
        : (...params) => {
            const cursor = sql.exec(text, ...bind(params));
            for (const _ of cursor.raw()); // a statement runs to its end as its cursor is read
            return { changes: cursor.rowsWritten };
          },
      get(...params) {
        for (const row of sql.exec(text, ...bind(params)).toArray()) return row;
        return undefined;
      },
      all: (...params) => sql.exec(text, ...bind(params)).toArray(),
      values: (...params) => Array.from(sql.exec(text, ...bind(params)).raw()),
    };
  };
  return {
    name,
    exec(text): void {
      for (const _ of sql.exec(text).raw());
    },
    prepare,
    close(): void {
      // the object's storage lives as long as the object
    },
  };
}

/** Thrown inside `transactionSync` to roll back work that turned out to await. */
const AWAITS = Symbol('the work awaits');

/**
 * One transaction at a time. Work runs in `transactionSync` (a throw rolls it back); work that
 * turns out to await is rolled back at once and run again inside the storage's asynchronous
 * `transaction()`, which holds across awaits but costs a durable commit each (milliseconds, against
 * microseconds): keep inline work synchronous, as the runtime's inline perspectives are, and free
 * of other effects. While asynchronous work holds the transaction, every other transaction of the
 * object waits its turn, so nothing of another request's work lands inside it.
 */
export class StorageGate extends Gate {
  readonly #storage: DurableObjectStorage;
  #busy: Promise<unknown> | undefined;
  #hooks: TransactionHooks | undefined;
  #open = false;
  #attempt = 0;

  /** A gate over `storage`, whose database `db` adapts. */
  constructor(db: SqliteDatabase, storage: DurableObjectStorage) {
    super(db);
    this.#storage = storage;
  }

  /** Whether a transaction of this gate is open. */
  override get open(): boolean {
    return this.#open;
  }

  /** The current attempt: work of an abandoned one must write nothing more (see `fence.ts`). */
  get attempt(): number {
    return this.#attempt;
  }

  /** Sets the work run before every commit and after every rollback. */
  override hook(hooks: TransactionHooks): void {
    this.#hooks = hooks;
  }

  /** Runs `work` in one transaction of the storage; synchronous while `work` is. */
  override run<T>(work: () => MaybePromise<T>): MaybePromise<T> {
    if (this.#busy !== undefined) return this.#busy.then(() => this.run(work));
    let pending: PromiseLike<T> | undefined;
    this.#attempt++;
    try {
      return this.#storage.transactionSync(() => {
        this.#open = true;
        const value = work();
        if (isThenable<T>(value)) {
          pending = value;
          throw AWAITS;
        }
        this.#hooks?.beforeCommit();
        return value;
      });
    } catch (error) {
      this.#hooks?.afterRollback();
      if (error !== AWAITS || pending === undefined) throw error;
      // the abandoned attempt's rest writes nothing (its writer is fenced) and fails unheard; the
      // asynchronous transaction starts once it has settled (workerd would otherwise stall on a
      // timer the abandoned attempt started)
      this.#attempt++;
      const settled = Promise.resolve(pending).then(
        () => undefined,
        () => undefined,
      );
      return this.#hold(settled.then(() => this.#later(work)));
    } finally {
      this.#open = false;
    }
  }

  /** Holds the object's other transactions until `settled` settles. */
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

  /** Runs `work` inside the storage's asynchronous transaction, holding the object's others. */
  #later<T>(work: () => MaybePromise<T>): Promise<T> {
    this.#attempt++;
    return this.#storage
      .transaction(async () => {
        this.#open = true;
        try {
          const value = await work();
          this.#hooks?.beforeCommit();
          return value;
        } finally {
          this.#open = false;
        }
      })
      .catch((error: unknown) => {
        this.#hooks?.afterRollback();
        throw error;
      });
  }
}
