/**
 * The driver boundary: every error that leaves a driver is a `WhizbangError`. A driver wraps its
 * ledger and store once; a call after `close()` is refused with CLOSED, and an error its library
 * throws is mapped to a code by the driver's own mapping (after the mappings every driver shares:
 * a value JSON cannot hold, nesting too deep for the stack).
 */
import { isWhizbangError, WhizbangError } from '../util/errors.ts';
import { isThenable } from '../util/maybe.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * The mappings every driver shares: a WhizbangError as it is; a value JSON cannot hold (a BigInt,
 * a cycle) or nesting too deep for the stack as INVALID_ARGUMENT; `undefined` otherwise (the
 * driver's own mapping decides).
 */
export function sharedDriverError(error: unknown): WhizbangError | undefined {
  if (isWhizbangError(error)) return error;
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new WhizbangError(
      'INVALID_ARGUMENT',
      'A value nests deeper than the stack can walk; flatten it (the "maxDepth" limit is checked for payloads and queries). Nothing was written.',
      { cause: error },
    );
  }
  if (error instanceof TypeError && /BigInt|circular|cyclic/i.test(error.message)) {
    return new WhizbangError(
      'INVALID_ARGUMENT',
      `A value cannot be stored as JSON (${error.message}): use plain objects, arrays, strings, numbers, booleans and null. Nothing was written.`,
      { cause: error },
    );
  }
  return undefined;
}

/** What a driver tells {@link driverBoundary}. */
export interface Boundary {
  /** What is wrapped, for messages (`'SQLite ledger'`). */
  readonly what: string;
  /** True once the driver is closed: every call is then refused with CLOSED. */
  readonly closed: () => boolean;
  /**
   * Maps an error of the driver's library to a WhizbangError; one it does not know (an error of
   * the caller's own inline work, for instance) is passed on as it is.
   */
  readonly map: (error: unknown) => unknown;
}

/**
 * Wraps every method of `target` (and of the objects under `nested`, such as `outbox`) at the
 * driver boundary: CLOSED after close, and errors mapped by `boundary.map`. Stays synchronous
 * where the method is.
 */
export function driverBoundary<T extends object>(
  target: T,
  boundary: Boundary,
  nested: readonly string[] = [],
): T {
  const out: Record<string, unknown> = {};
  const source = target as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (typeof value === 'function') {
      const fn = value as (...args: unknown[]) => unknown;
      out[key] = (...args: unknown[]): unknown => {
        if (boundary.closed()) {
          throw new WhizbangError(
            'CLOSED',
            `The ${boundary.what} is closed: ${key}() cannot run. Open a new driver.`,
          );
        }
        let result: unknown;
        try {
          result = fn.apply(target, args);
        } catch (error) {
          throw boundary.map(error);
        }
        if (!isThenable(result)) return result;
        return Promise.resolve(result).then(undefined, (error: unknown) => {
          throw boundary.map(error);
        });
      };
    } else if (nested.includes(key) && isObject(value)) {
      out[key] = driverBoundary(value, boundary);
    } else {
      out[key] = value;
    }
  }
  return out as T;
}
