/**
 * What the CLI works on: a SQLite file, a PostgreSQL URL or a JetStream shared log, opened through
 * the adapters' public entries. Each backend answers the same questions; where it keeps no such
 * thing (checkpoints on JetStream) it says so with `undefined`.
 */
import type { Driver, Ledger, OutboxCounts, PerspectiveStore } from '../js/mod.ts';
import { CliError } from './fail.ts';

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

/** The backend a target string names. */
export function kindOf(target: string): Target['kind'] {
  if (/^postgres(ql)?:\/\//i.test(target)) return 'postgres';
  if (/^(nats|tls|ws|wss):\/\//i.test(target)) return 'jetstream';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    throw new CliError(
      'USAGE',
      `"${target}" is not a target: give a SQLite file, a postgres:// URL or a nats:// URL.`,
    );
  }
  return 'sqlite';
}

/** Opens `target` with the adapter it names (loaded only then: its library is an optional peer). */
export async function openTarget(target: string, options: OpenOptions): Promise<Target> {
  switch (kindOf(target)) {
    case 'postgres':
      return (await import('./targets/postgres.ts')).openPostgres(target, options);
    case 'jetstream':
      return (await import('./targets/jetstream.ts')).openJetStream(target, options);
    default:
      return (await import('./targets/sqlite.ts')).openSqlite(target, options);
  }
}

/** Runs `work` on the opened target and closes it after, whatever happens. */
export async function withTarget<T>(
  target: string,
  options: OpenOptions,
  work: (target: Target) => Promise<T>,
): Promise<T> {
  const opened = await openTarget(target, options);
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}
