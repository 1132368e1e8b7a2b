/**
 * SQLite's errors as Whizbang's: a busy database is BUSY (retryable), a closed one CLOSED, a full
 * disk STORAGE_QUOTA, a damaged file CORRUPT_DATA, any other SQLite failure STORAGE_FAILED. An
 * error that is not SQLite's (the caller's inline work) is passed on as it is.
 */
import { sharedDriverError } from '../../js/kit/mod.ts';
import { WhizbangError } from '../../js/mod.ts';

const codeOf = (error: unknown): string =>
  typeof error === 'object' &&
  error !== null &&
  typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : '';

/** True when SQLite said the database is locked by another connection. */
export function isBusy(error: unknown): boolean {
  return (
    error instanceof Error &&
    (codeOf(error).startsWith('SQLITE_BUSY') || /database is locked/i.test(error.message))
  );
}

/** A busy error, after waiting `waitedMs` for the lock. */
export function busyError(waitedMs: number, cause: unknown): WhizbangError {
  return new WhizbangError(
    'BUSY',
    `The SQLite database stayed locked by another connection for ${waitedMs} ms. Try again (the write did not happen), or raise "busyTimeoutMs".`,
    { cause },
  );
}

/** Maps an error that left the SQLite driver. */
export function sqliteError(error: unknown): unknown {
  const shared = sharedDriverError(error);
  if (shared !== undefined) return shared;
  if (!(error instanceof Error)) return error;
  const code = codeOf(error);
  if (isBusy(error)) return busyError(0, error);
  if (/not open|closed database|database is closed/i.test(error.message)) {
    return new WhizbangError('CLOSED', `The SQLite database is closed (${error.message}).`, {
      cause: error,
    });
  }
  if (!code.startsWith('SQLITE_') && !/^SQLite|sqlite/.test(error.name + error.message))
    return error;
  const [kind, what] = code.startsWith('SQLITE_FULL')
    ? (['STORAGE_QUOTA', 'the disk is full'] as const)
    : code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')
      ? (['CORRUPT_DATA', 'the file is damaged'] as const)
      : (['STORAGE_FAILED', 'SQLite failed'] as const);
  return new WhizbangError(
    kind,
    `${what}: ${error.message} (${code || 'no code'}). Nothing of the call was kept.`,
    {
      cause: error,
    },
  );
}
