/** Checks a driver makes before it writes: stream ids and expected versions, the same on every driver. */
import type { ExpectedVersion } from '../contracts/ledger.ts';
import { ConcurrencyError, invalidArgument } from '../util/errors.ts';

/** Throws {@link ConcurrencyError} unless a stream at `actual` satisfies `expected`. */
export function checkExpectedVersion(
  streamId: string,
  expected: ExpectedVersion,
  actual: number,
): void {
  if (expected === 'any') return;
  if (typeof expected === 'number') {
    if (!Number.isSafeInteger(expected) || expected < 0) {
      throw invalidArgument(
        `expectedVersion must be a whole number ≥ 0, 'any', 'no_stream' or 'stream_exists'; got ${expected}.`,
      );
    }
    if (expected !== actual) throw new ConcurrencyError(streamId, expected, actual);
    return;
  }
  if (expected !== 'no_stream' && expected !== 'stream_exists') {
    throw invalidArgument(
      `expectedVersion must be a whole number ≥ 0, 'any', 'no_stream' or 'stream_exists'; got ${JSON.stringify(expected)}.`,
    );
  }
  if (expected === 'no_stream' ? actual !== 0 : actual === 0) {
    throw new ConcurrencyError(streamId, expected, actual);
  }
}

/** Checks a stream id before it reaches a driver. */
export function checkStreamId(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw invalidArgument(
      `A stream id must be a non-empty string, got ${JSON.stringify(streamId)}.`,
    );
  }
}
