/**
 * PostgreSQL's errors as Whizbang's, by SQLSTATE class: values the server cannot take (too long
 * to index, bad text) are INVALID_ARGUMENT, serialization failures and deadlocks BUSY (retryable),
 * a cancelled statement TIMEOUT, a lost or refused connection UNAVAILABLE, an ended pool CLOSED,
 * any other server error STORAGE_FAILED. An error that is not the server's or the client's (the
 * caller's inline work) is passed on as it is.
 */
import { sharedDriverError } from '../../js/kit/mod.ts';
import { type ErrorCode, WhizbangError } from '../../js/mod.ts';

const CLASSES: ReadonlyArray<readonly [RegExp, ErrorCode, string]> = [
  [/^54/, 'INVALID_ARGUMENT', 'a value is too large for PostgreSQL (an id over its index limit?)'],
  [/^22/, 'INVALID_ARGUMENT', 'PostgreSQL cannot take a value'],
  [/^(40001|40P01)$/, 'BUSY', 'PostgreSQL gave up on a conflicting transaction; try again'],
  [/^57014$/, 'TIMEOUT', 'the statement was cancelled (statement_timeout?)'],
  [/^(08|57P0)/, 'UNAVAILABLE', 'the connection to PostgreSQL was lost'],
  [/^53/, 'STORAGE_QUOTA', 'PostgreSQL ran out of a resource (disk, memory, connections)'],
  [/^42501$/, 'FORBIDDEN', 'PostgreSQL refused (row-level security or privileges)'],
];

/** Maps an error that left the PostgreSQL driver. */
export function pgError(error: unknown): unknown {
  const shared = sharedDriverError(error);
  if (shared !== undefined) return shared;
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  if (/pool after calling end|Client was closed|cannot use a pool/i.test(error.message)) {
    return new WhizbangError('CLOSED', `The PostgreSQL pool is closed (${error.message}).`, {
      cause: error,
    });
  }
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    return new WhizbangError(
      'UNAVAILABLE',
      `PostgreSQL cannot be reached (${code}): ${error.message}.`,
      {
        cause: error,
      },
    );
  }
  if (/Connection terminated|connection timeout/i.test(error.message)) {
    return new WhizbangError(
      'UNAVAILABLE',
      `The connection to PostgreSQL was lost: ${error.message}.`,
      {
        cause: error,
      },
    );
  }
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return error;
  const [, kind, what] = CLASSES.find(([pattern]) => pattern.test(code)) ?? [
    undefined,
    'STORAGE_FAILED' as const,
    'PostgreSQL failed',
  ];
  return new WhizbangError(
    kind,
    `${what}: ${error.message} (SQLSTATE ${code}). Nothing of the call was kept.`,
    {
      cause: error,
    },
  );
}
