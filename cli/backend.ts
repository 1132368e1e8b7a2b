/** What an opened backend answers: the CLI's view of a SQLite file, a PostgreSQL schema or a JetStream log. */
import type { Driver, Ledger, OutboxCounts, PerspectiveStore } from '../js/mod.ts';

/** Totals of a log, computed by the backend where it can (SQL), else by a scan. */
export interface Summary {
  /** Events in the log. */
  readonly events: number;
  /** Global position of the newest event. */
  readonly head: number;
  /** Distinct streams (tenant and stream id). */
  readonly streams: number;
  /** Events by type, most first. */
  readonly types: ReadonlyArray<{ readonly type: string; readonly events: number }>;
  /** Events and streams by tenant. */
  readonly tenants: ReadonlyArray<{
    readonly tenant: string;
    readonly events: number;
    readonly streams: number;
  }>;
}

/** An opened backend. */
export interface Target {
  /** `'sqlite'`, `'postgres'` or `'jetstream'`. */
  readonly kind: 'sqlite' | 'postgres' | 'jetstream';
  /** The driver, as an app would get it. */
  readonly driver: Driver;
  /** Its ledger. */
  readonly ledger: Ledger;
  /** Its perspective store. */
  readonly store: PerspectiveStore;
  /** Totals by SQL, where the backend has it (else the caller scans). */
  summary(): Promise<Summary | undefined>;
  /** Perspectives with their checkpoints; `undefined` where the backend keeps none. */
  checkpoints(): Promise<Array<{ perspective: string; position: number }> | undefined>;
  /** The outbox's counts; `undefined` where the backend has no outbox. */
  outbox(): Promise<OutboxCounts | undefined>;
  /** Lets go of connections and files. */
  close(): Promise<void>;
}

/** How a target is opened: `create` lets an import or a migration make the database. */
export interface OpenOptions {
  /** Make the file, schema or stream when missing (import, migrate); read commands refuse instead. */
  readonly create: boolean;
}
