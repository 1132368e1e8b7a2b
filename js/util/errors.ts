/**
 * Errors that explain themselves: each has a stable `code`, structured fields and a message that
 * says what to do. Guards use a `Symbol.for` brand so they work across two copies of the library.
 * @module
 */

const BRAND: unique symbol = Symbol.for('whizbang.error') as never;

/** Every stable error code Whizbang raises. */
export type ErrorCode =
  | 'CONCURRENCY_CONFLICT'
  | 'VALIDATION_FAILED'
  | 'NO_HANDLER'
  | 'DUPLICATE_HANDLER'
  | 'STREAM_REQUIRED'
  | 'CASCADE_TOO_DEEP'
  | 'SYNC_TIMEOUT'
  | 'INVALID_ARGUMENT'
  | 'INVALID_QUERY'
  | 'HANDLER_FAILED'
  | 'UNKNOWN_EVENT_VERSION'
  | 'UPCAST_FAILED'
  | 'TIMEOUT'
  | 'CIRCUIT_OPEN'
  | 'DUPLICATE_MESSAGE'
  | 'FORBIDDEN'
  | 'STORAGE_QUOTA'
  | 'AUTHENTICATION_FAILED'
  | 'UNAVAILABLE'
  | 'MALFORMED_MESSAGE'
  | 'CORRUPT_DATA'
  | 'REPLICA_DIVERGED'
  | 'COMMAND_REFUSED'
  | 'CAPACITY_EXCEEDED'
  | 'NO_RESPONDER'
  | 'REQUEST_TIMEOUT'
  | 'REMOTE_FAILED'
  | 'CLOSED'
  | 'BUSY'
  | 'STORAGE_FAILED'
  | 'LEASE_LOST'
  | 'PROTECTED_DATA_TAMPERED'
  | 'MASTER_KEY_MISMATCH'
  | 'AT_REST_KEY_REQUIRED'
  | 'AT_REST_KEY_MISMATCH'
  | 'AT_REST_TAMPERED'
  | 'AT_REST_CLEAR_DATA';

/** Base class of every error Whizbang throws. */
export class WhizbangError extends Error {
  /** The error's name, for logs. */
  override name = 'WhizbangError';
  /** A stable code to tell errors apart by (`CONCURRENCY`, `INVALID_ARGUMENT`, …). */
  readonly code: ErrorCode;

  /** An error with a stable `code` and a message that says what to do. */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

Object.defineProperty(WhizbangError.prototype, BRAND, { value: true });

/** True when `error` is a Whizbang error (from any copy of the library), optionally of one code. */
export function isWhizbangError(error: unknown, code?: ErrorCode): error is WhizbangError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[BRAND] === true &&
    (code === undefined || (error as WhizbangError).code === code)
  );
}

/** An append found the stream at another version than the one it was decided on. */
export class ConcurrencyError extends WhizbangError {
  /** The error's name, for logs. */
  override name = 'ConcurrencyError';
  /** The stream appended to. */
  readonly streamId: string;
  /** The version the append expected. */
  readonly expected: string | number;
  /** The version the stream was at. */
  readonly actual: number;

  /** The stream was not at the expected version. */
  constructor(streamId: string, expected: string | number, actual: number) {
    super(
      'CONCURRENCY_CONFLICT',
      `Stream "${streamId}" is at version ${actual}, but the append expected ${expected}. ` +
        'Another writer got there first: reload the stream and decide again (stateful receptors retry this for you).',
    );
    this.streamId = streamId;
    this.expected = expected;
    this.actual = actual;
  }
}

/** True when `error` is a {@link ConcurrencyError}. */
export function isConcurrencyError(error: unknown): error is ConcurrencyError {
  return isWhizbangError(error, 'CONCURRENCY_CONFLICT');
}

/** One problem found by a schema. */
export interface ValidationIssue {
  /** What is wrong. */
  readonly message: string;
  /** Where in the data, if the schema says. */
  readonly path?: readonly PropertyKey[];
}

/** A message's data did not match its schema; nothing was written. */
export class ValidationError extends WhizbangError {
  /** The error's name, for logs. */
  override name = 'ValidationError';
  /** The type of the message that failed validation. */
  readonly messageType: string;
  /** What the schema found wrong. */
  readonly issues: readonly ValidationIssue[];

  /** The data of a `messageType` message did not pass its schema. */
  constructor(messageType: string, issues: readonly ValidationIssue[]) {
    const list = issues
      .map(
        (i) =>
          `${i.path && i.path.length > 0 ? `${i.path.map(String).join('.')}: ` : ''}${i.message}`,
      )
      .join('; ');
    super(
      'VALIDATION_FAILED',
      `"${messageType}" is not valid: ${list}. Fix the data to match the schema of "${messageType}"; nothing was written.`,
    );
    this.messageType = messageType;
    this.issues = issues;
  }
}

/**
 * A principal may not do what was asked (an `authorize` hook said no, or a lens was read outside
 * the principal's tenant); nothing was decided or written.
 */
export class ForbiddenError extends WhizbangError {
  /** The error's name, for logs. */
  override name = 'ForbiddenError';
  /** The user refused. */
  readonly userId: string;

  /** `userId` may not do it; `reason` says why (the hook's own words, when it gave some). */
  constructor(userId: string, reason: string) {
    super('FORBIDDEN', reason);
    this.userId = userId;
  }
}

/** True when `error` is a {@link ValidationError}. */
export function isValidationError(error: unknown): error is ValidationError {
  return isWhizbangError(error, 'VALIDATION_FAILED');
}

/** Raised for a bad argument, with what was wrong and how to fix it. */
export function invalidArgument(message: string): WhizbangError {
  return new WhizbangError('INVALID_ARGUMENT', message);
}

/**
 * Bytes that are not a valid envelope, segment or batch (see `core-wasm/FORMAT.md`): truncated,
 * a length that points outside the bytes, a checksum that does not match, random bytes. Nothing
 * was read from them.
 */
export class CorruptDataError extends WhizbangError {
  /** The error's name, for logs. */
  override name = 'CorruptDataError';
  /** Byte offset of the bad field, from the start of the bytes given. */
  readonly offset: number;
  /** What was wrong: `truncated`, `bad-checksum`, `bad-length`, … */
  readonly reason: string;

  /** Bytes that are not valid at `offset`, for `reason`. */
  constructor(reason: string, offset: number, detail?: string, options?: { cause?: unknown }) {
    super(
      'CORRUPT_DATA',
      `Corrupt data at byte ${offset}: ${reason}${detail ? ` (${detail})` : ''}. ` +
        'The bytes are not a Whizbang envelope or segment of format version 1; check where they came from (a truncated read, another format, a damaged file). Nothing was read from them.',
      options,
    );
    this.reason = reason;
    this.offset = offset;
  }
}

/** True when `error` is a {@link CorruptDataError}. */
export function isCorruptDataError(error: unknown): error is CorruptDataError {
  return isWhizbangError(error, 'CORRUPT_DATA');
}

/**
 * An option that must be a whole number ≥ `min` (default 0): `fallback` when absent,
 * INVALID_ARGUMENT otherwise.
 */
export function wholeOption(
  name: string,
  value: number | undefined,
  fallback: number,
  min = 0,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalidArgument(`"${name}" must be a whole number ≥ ${min}, got ${value}.`);
  }
  return value;
}
