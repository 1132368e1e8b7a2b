/** The part of a D1 binding (`env.DB`) the driver uses, typed here so no Workers types are needed. */

/** What a statement's run reports. */
export interface D1Meta {
  /** Rows the statement changed. */
  readonly changes?: number;
  /** The row id of the last row inserted. */
  readonly last_row_id?: number;
}

/** One statement's outcome in a batch. */
export interface D1Result<T = Record<string, unknown>> {
  /** Rows it returned. */
  readonly results: T[];
  /** What it did. */
  readonly meta: D1Meta;
}

/** A statement, bound or not. */
export interface D1PreparedStatement {
  /** The statement with its positional parameters. */
  bind(...values: unknown[]): D1PreparedStatement;
  /** Every row as an object. */
  all<T = Record<string, unknown>>(): Promise<D1Result<T>>;
  /** Every row as an array of its column values. */
  raw<T = unknown[]>(): Promise<T[]>;
  /** The first row, or null. */
  first<T = Record<string, unknown>>(): Promise<T | null>;
  /** Runs it. */
  run(): Promise<D1Result>;
}

/** A D1 database binding. */
export interface D1Database {
  /** Compiles a statement. */
  prepare(query: string): D1PreparedStatement;
  /** Runs statements in order as one transaction: all of them, or none when one fails. */
  batch<T = Record<string, unknown>>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]>;
}
