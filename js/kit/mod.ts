/**
 * The driver kit: what a storage driver or a transport needs besides the contracts it implements
 * (exported from `whizbang`): the checks every driver makes before it writes, payload limits,
 * read-range and row helpers for SQL ledgers, coalesced watchers, the reference query evaluator,
 * topic rules and the request/reply wire format. The conformance suites that prove a driver are in
 * `whizbang/conformance`.
 *
 * @example
 * ```ts
 * import type { AppendOptions, Ledger, NewEvent } from 'whizbang';
 * import { checkExpectedVersion, checkStreamId } from 'whizbang/kit';
 *
 * function append(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}) {
 *   checkStreamId(streamId);
 *   checkExpectedVersion(streamId, options.expectedVersion ?? 'any', currentVersion(streamId));
 *   // … write the events and run options.inTransaction in the same transaction
 * }
 * ```
 * @module
 */

export type { BatchAppend } from '../contracts/ledger.ts';
export type { WireError, WireReply } from '../contracts/remote.ts';
export { invalidArgument, wholeOption } from '../util/errors.ts';
export { chain, each, isThenable } from '../util/maybe.ts';
export { backoffSleep } from './backoff.ts';
export type { Boundary } from './boundary.ts';
export { driverBoundary, sharedDriverError } from './boundary.ts';
export { checkExpectedVersion, checkStreamId } from './checks.ts';
export type { Cursor, SortValue } from './cursor.ts';
export { compareSortValues, cursorOf, decodeCursor, isAfter, sortValue } from './cursor.ts';
export type { FlushBatch, GatherOptions, Settled } from './gather.ts';
export { Gatherer, settle } from './gather.ts';
export { checkLeaseName, checkLeaseTtl } from './leases.ts';
export type { Limits } from './limits.ts';
export {
  checkAppend,
  checkEvent,
  checkEventCount,
  checkId,
  checkLogRead,
  checkStreamRead,
  DEFAULT_LIMITS,
  hasRefusedText,
  limitsOf,
} from './limits.ts';
export { notingWriter } from './live.ts';
export { dueRecords } from './outbox.ts';
export type { EncodedPayload } from './payload.ts';
export {
  checkPayloadSize,
  deeperThan,
  encodePayload,
  MAX_PAYLOAD_BYTES,
  payloadJson,
  utf8Length,
} from './payload.ts';
export { checkQuery, countMatches, matches, pathValue, runQuery, sortKeys } from './query.ts';
export {
  answerOf,
  decodeReply,
  encodeReply,
  errorFromWire,
  noResponder,
  replyOf,
  requestTimeout,
  wireError,
} from './replies.ts';
export type { EventStamp, ParseJson } from './rows.ts';
export {
  allColumns,
  fromAllRow,
  fromStreamRow,
  recordedEvent,
  stampEvent,
  streamColumns,
  Watchers,
} from './rows.ts';
export { checkQueue, checkTopic, topicMatches } from './topics.ts';
