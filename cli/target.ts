/**
 * What the CLI works on: a SQLite file, a PostgreSQL URL or a JetStream shared log, opened through
 * the adapters' public entries. Each backend answers the same questions; where it keeps no such
 * thing (checkpoints on JetStream) it says so with `undefined`.
 */
import type { OpenOptions, Target } from './backend.ts';
import { CliError } from './fail.ts';

export type { OpenOptions, Summary, Target } from './backend.ts';

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
