/**
 * D1's errors as Whizbang's, and the guard a batch aborts by: D1 has no interactive transaction, so
 * a batch checks what its writes were decided on with statements that fail when it moved.
 */
import { sharedDriverError } from '../../../js/kit/mod.ts';
import { WhizbangError } from '../../../js/mod.ts';

/**
 * A statement that fails (and so rolls the whole batch back) unless `condition` holds:
 * `json()` refuses the text, and nothing else the driver writes passes through `json()`.
 */
export const guard = (condition: string): string =>
  `SELECT CASE WHEN ${condition} THEN 1 ELSE json('whizbang: moved since read') END AS ok`;

/** True when a batch failed because something it was decided on moved (a guard or a key). */
export function isMoved(error: unknown): boolean {
  return (
    error instanceof Error &&
    /malformed JSON|UNIQUE constraint failed: whizbang_(events|inbox)/i.test(error.message)
  );
}

/** Maps an error that left the D1 driver. */
export function d1Error(error: unknown): unknown {
  const shared = sharedDriverError(error);
  if (shared !== undefined) return shared;
  if (!(error instanceof Error) || !/D1_|SQLITE_/.test(error.message)) return error;
  const [code, what] = /SQLITE_FULL|exceeded|too large|TOOBIG/i.test(error.message)
    ? (['STORAGE_QUOTA', 'D1 refused the size'] as const)
    : (['STORAGE_FAILED', 'D1 failed'] as const);
  return new WhizbangError(code, `${what}: ${error.message}. Nothing of the call was kept.`, {
    cause: error,
  });
}
