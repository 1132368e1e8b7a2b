/** The PostgreSQL driver over any client: schema, ledger, store, outbox, inbox and snapshots. */
import { driverBoundary, limitsOf } from '../../js/kit/mod.ts';
import { type Driver, type LeaseStore, WhizbangError } from '../../js/mod.ts';
import type { PgEngine } from './engine.ts';
import { pgError } from './errors.ts';
import { pgLeases } from './leases.ts';
import { type PgLedger, type PgLedgerOptions, pgLedger } from './ledger.ts';
import { liveAcrossProcesses } from './live.ts';
import { inspect, migrate, SCHEMA_VERSION, schemaNames } from './schema.ts';
import { type PgStore, pgStore } from './store.ts';

/** Options of the PostgreSQL driver. */
export interface PgDriverOptions extends PgLedgerOptions {
  /** The PostgreSQL schema the tables live in (default `public`); created when missing. */
  readonly schema?: string;
  /**
   * Apply pending migrations on start (default true). With false, a schema that is not at this
   * version is refused: run `migratePostgres` first (a deploy step, for instance).
   */
  readonly migrate?: boolean;
}

/** A PostgreSQL driver: every append one statement, or one transaction with its inline work. */
export interface PostgresDriver extends Driver {
  /** The ledger, in `<schema>.whizbang_events`. */
  readonly ledger: PgLedger;
  /** The perspective store, with the outbox, inbox, checkpoints and snapshots. */
  readonly store: PgStore;
  /** The PostgreSQL schema the tables live in. */
  readonly schema: string;
  /** Leases for instances sharing background work, in `<schema>.whizbang_leases`. */
  readonly leases: LeaseStore;
  /** Closes the pool (when the driver made it). */
  close(): Promise<void>;
}

/** Opens the driver on an engine: checks (and by default migrates) the schema first. */
export async function createPostgresDriver(
  engine: PgEngine,
  options: PgDriverOptions = {},
): Promise<PostgresDriver> {
  const schema = options.schema ?? 'public';
  if (typeof schema !== 'string' || schema.length === 0 || schema.includes('\0')) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `"schema" must be a non-empty name, got ${JSON.stringify(schema)}.`,
    );
  }
  const names = schemaNames(schema);
  if (options.migrate === false) {
    const found = await inspect(engine, names);
    if (found < SCHEMA_VERSION) {
      throw new WhizbangError(
        'INVALID_ARGUMENT',
        `PostgreSQL schema "${schema}" is at version ${found}; this Whizbang needs ${SCHEMA_VERSION}. Run migratePostgres() (or open with migrate: true); nothing was changed.`,
      );
    }
  } else await migrate(engine, names);
  const live = liveAcrossProcesses(
    pgStore(engine, names, limitsOf(options.limits, options.maxPayloadBytes)),
    engine,
    names,
  );
  const inner = live.store;
  const unlisten = live.stop;
  const innerLedger = pgLedger(engine, names, inner, options);
  let closing: Promise<void> | undefined;
  const boundary = { what: 'PostgreSQL driver', closed: () => closing !== undefined, map: pgError };
  const store = driverBoundary(inner, boundary, ['outbox', 'snapshots']);
  const ledger = driverBoundary(innerLedger, boundary);
  return {
    name: 'postgres',
    schema,
    ledger,
    store,
    snapshots: store.snapshots,
    leases: driverBoundary(pgLeases(engine, names), boundary),
    close(): Promise<void> {
      closing ??= unlisten()
        .then(() => innerLedger.close())
        .then(() => engine.close());
      return closing;
    },
  };
}
