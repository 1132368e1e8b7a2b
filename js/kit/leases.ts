/** Checks a lease store makes before it writes, the same on every driver. */
import { invalidArgument } from '../util/errors.ts';

/** The longest lease name or owner, in characters. */
const MAX_NAME = 200;

/** Checks a lease name or owner: a non-empty string of at most 200 characters, no U+0000. */
export function checkLeaseName(what: string, value: unknown): asserts value is string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_NAME ||
    value.includes('\0')
  ) {
    throw invalidArgument(
      `A ${what} must be a non-empty string of at most ${MAX_NAME} characters without U+0000, got ${JSON.stringify(value)?.slice(0, 60)}.`,
    );
  }
}

/** Checks a lease's time to live: a whole number of milliseconds from 1 to one day. */
export function checkLeaseTtl(ttlMs: unknown): asserts ttlMs is number {
  if (
    typeof ttlMs !== 'number' ||
    !Number.isSafeInteger(ttlMs) ||
    ttlMs < 1 ||
    ttlMs > 86_400_000
  ) {
    throw invalidArgument(
      `A lease's ttlMs must be a whole number of milliseconds from 1 to 86400000, got ${String(ttlMs)}.`,
    );
  }
}
