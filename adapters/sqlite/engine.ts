/**
 * The little of a SQLite library the adapter needs, so one implementation serves better-sqlite3
 * (Node), `bun:sqlite` (Bun) and `node:sqlite` (Deno). Each engine file adapts its library to it.
 */

/** A prepared statement. Parameters are positional. */
export interface SqliteStatement {
  /** `lastInsertRowid` is the row id of the last row inserted on the connection, where the library tells it. */
  run(...params: unknown[]): {
    readonly changes: number | bigint;
    readonly lastInsertRowid?: number | bigint;
  };
  /** The first row of the result. */
  get(...params: unknown[]): Record<string, unknown> | undefined;
  /** Every row of the result. */
  all(...params: unknown[]): Array<Record<string, unknown>>;
  /**
   * Optional: every row as an array of its column values, in the order of the select list.
   * Faster than row objects where the library has it (better-sqlite3 `raw()`, bun:sqlite
   * `values()`, node:sqlite `setReturnArrays(true)`); without it the adapter reads `all`.
   */
  values?(...params: unknown[]): unknown[][];
}

/** An open database connection. */
export interface SqliteDatabase {
  /** Runs SQL with no result. */
  exec(sql: string): void;
  /** Compiles a statement. */
  prepare(sql: string): SqliteStatement;
  /** Closes the database. */
  close(): void;
  /** The file it was opened on (for error messages). */
  readonly name: string;
}
