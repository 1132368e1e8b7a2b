/** The D1 driver: the ledger, store, outbox and snapshots of the SQLite schema on a D1 database. */
import { driverBoundary, type Limits, limitsOf } from '../../../js/kit/mod.ts';
import type { Driver } from '../../../js/mod.ts';
import type { D1Database } from './binding.ts';
import { d1Error } from './errors.ts';
import { type D1Ledger, d1Ledger } from './ledger.ts';
import { migrateD1 } from './schema.ts';
import { type D1Store, d1Store } from './store.ts';

/** Options of {@link d1Driver}. */
export interface D1DriverOptions {
  /** How often other Workers' appends are looked for while someone watches, ms (default 1000). */
  readonly pollMs?: number;
  /** The largest JSON payload (data + metadata) an event may have, bytes (default 1 MiB). */
  readonly maxPayloadBytes?: number;
  /** What an append, a read or a query may hold; `DEFAULT_LIMITS` for what is not given. */
  readonly limits?: Partial<Limits>;
}

/** A driver on D1: every call answers with a promise. */
export interface D1Driver extends Driver {
  /** The ledger, in `whizbang_events`. */
  readonly ledger: D1Ledger;
  /** The perspective store, with the outbox, inbox, checkpoints and snapshots. */
  readonly store: D1Store;
  /** The binding. */
  readonly database: D1Database;
  /** Stops the driver's polling (the binding stays the Worker's). */
  close(): void;
}

/**
 * Opens the driver on a D1 binding (`env.DB`), creating or upgrading the schema first. The tables
 * may share the database with the application's own.
 */
export async function d1Driver(db: D1Database, options: D1DriverOptions = {}): Promise<D1Driver> {
  await migrateD1(db).catch((error: unknown) => {
    throw d1Error(error);
  });
  const limits = limitsOf(options.limits, options.maxPayloadBytes);
  const innerLedger = d1Ledger(db, limits, options.pollMs ?? 1000);
  let closed = false;
  const boundary = { what: 'D1 driver', closed: () => closed, map: d1Error };
  const store = driverBoundary(d1Store(db, limits), boundary, ['outbox', 'snapshots']);
  return {
    name: 'd1',
    ledger: driverBoundary(innerLedger, boundary),
    store,
    snapshots: store.snapshots,
    database: db,
    close(): void {
      if (closed) return;
      closed = true;
      innerLedger.close();
    },
  };
}
