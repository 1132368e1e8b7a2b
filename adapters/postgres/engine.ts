/**
 * The part of a PostgreSQL client the driver uses: statements with `$n` parameters whose rows come
 * back as arrays, transactions on one connection, and LISTEN. `mod.ts` adapts node-postgres.
 */

/** One connection inside a transaction. */
export interface PgConnection {
  /** Runs one statement; rows as arrays of column values, in select-list order. */
  query(text: string, values?: readonly unknown[]): Promise<unknown[][]>;
}

/** A pool of connections. */
export interface PgEngine extends PgConnection {
  /**
   * Runs `work` in `BEGIN … COMMIT` on one connection of the pool; rolls back when it throws.
   * A connection that failed is not given back to the pool.
   */
  transaction<T>(work: (connection: PgConnection) => Promise<T>): Promise<T>;
  /**
   * Listens on a channel on a connection of its own; `onNotify` hears each notification,
   * `onReconnect` is called after the connection was lost and made again (notifications sent
   * meanwhile were missed). Resolves once listening; the returned function stops.
   */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onReconnect: () => void,
  ): Promise<() => Promise<void>>;
  /** Ends the pool when the driver made it. */
  close(): Promise<void>;
}
