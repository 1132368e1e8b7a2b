/**
 * The little of a SQLite library the adapter needs, so one implementation serves better-sqlite3
 * (Node), `bun:sqlite` (Bun) and `node:sqlite` (Deno). Each engine file adapts its library to it.
 */

/** A prepared statement. Parameters are positional. */
export interface SqliteStatement {
  run(...params: unknown[]): { readonly changes: number | bigint };
  get(...params: unknown[]): Record<string, unknown> | undefined;
  all(...params: unknown[]): Array<Record<string, unknown>>;
}

/** An open database connection. */
export interface SqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  close(): void;
  /** The file it was opened on (for error messages). */
  readonly name: string;
}
