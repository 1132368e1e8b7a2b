/**
 * The limits every driver checks before it writes or queries, with defaults a user changes through
 * a driver's `limits` option; ids (stream ids, tenants, types, message ids) are checked here too,
 * with one policy everywhere: a non-empty string of well-formed UTF-16 without U+0000.
 */
import type { AppendOptions, NewEvent } from '../contracts/ledger.ts';
import { invalidArgument, WhizbangError } from '../util/errors.ts';
import { utf8Length } from './utf8.ts';

/** What a driver accepts; every field is a whole number ≥ 1. */
export interface Limits {
  /** The largest payload of an event (data + metadata as JSON), bytes of UTF-8. Default 1 MiB. */
  readonly maxPayloadBytes: number;
  /** The longest stream id, tenant, event type or message id, bytes of UTF-8. Default 1024. */
  readonly maxIdBytes: number;
  /** The most events one append (or one batch of appends) may hold. Default 10 000. */
  readonly maxEventsPerAppend: number;
  /** The deepest nesting of arrays and objects in a payload or a query value. Default 64. */
  readonly maxDepth: number;
  /** The most fields a lens query's `where` may filter on. Default 32. */
  readonly maxWhereFields: number;
  /** The most sort keys a lens query's `orderBy` may hold. Default 16. */
  readonly maxSortKeys: number;
  /** The most values of one `in` filter. Default 1 000. */
  readonly maxInValues: number;
  /** The most segments of a query's dotted field path. Default 16. */
  readonly maxPathSegments: number;
}

/** The limits a driver applies when given none. */
export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxPayloadBytes: 1024 * 1024,
  maxIdBytes: 1024,
  maxEventsPerAppend: 10_000,
  maxDepth: 64,
  maxWhereFields: 32,
  maxSortKeys: 16,
  maxInValues: 1_000,
  maxPathSegments: 16,
});

/**
 * The limits of a driver: the defaults, with what `options` changes (each a whole number ≥ 1).
 * `maxPayloadBytes`, for a driver whose options also take it on its own, wins over the one in
 * `options`.
 */
export function limitsOf(options: Partial<Limits> = {}, maxPayloadBytes?: number): Limits {
  if (maxPayloadBytes !== undefined) return limitsOf({ ...options, maxPayloadBytes });
  if (typeof options !== 'object' || options === null) {
    throw invalidArgument('"limits" must be an object of whole numbers (see DEFAULT_LIMITS).');
  }
  const out: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!(name in DEFAULT_LIMITS)) {
      throw invalidArgument(
        `Unknown limit "${name}"; the limits are ${Object.keys(DEFAULT_LIMITS).join(', ')}.`,
      );
    }
    if (!Number.isSafeInteger(value) || (value as number) < 1) {
      throw invalidArgument(`Limit "${name}" must be a whole number ≥ 1, got ${String(value)}.`);
    }
    out[name] = value as number;
  }
  return Object.freeze(out) as unknown as Limits;
}

// U+0000, or a surrogate not in a pair (no `u` flag: the pattern sees UTF-16 units)
const REFUSED_TEXT = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// ES2024's String.prototype.isWellFormed: constant time on a one-byte string (every ASCII id)
const isWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;

/** True when `text` holds U+0000 or an unpaired UTF-16 surrogate (which no driver keeps exactly). */
export function hasRefusedText(text: string): boolean {
  // on every append's path, for each id: the fastest test each runtime has (about 15 ns for a
  // UUID where a loop over its characters took 65)
  if (isWellFormed !== undefined) return text.includes('\0') || !isWellFormed.call(text);
  return REFUSED_TEXT.test(text);
}

function shown(value: unknown): string {
  if (typeof value !== 'string') return typeof value === 'bigint' ? `${value}n` : String(value);
  const text = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(text);
}

/**
 * Checks an id (a stream id, tenant, event type, message id): a non-empty string of at most
 * `limits.maxIdBytes` bytes of UTF-8, without U+0000 or an unpaired surrogate. INVALID_ARGUMENT
 * otherwise.
 */
export function checkId(
  what: string,
  value: unknown,
  limits: Limits = DEFAULT_LIMITS,
): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidArgument(`A ${what} must be a non-empty string, got ${shown(value)}.`);
  }
  // a UTF-16 unit is at most 3 bytes of UTF-8: only an id that could be over is counted
  if (value.length * 3 > limits.maxIdBytes) {
    const bytes = utf8Length(value);
    if (bytes > limits.maxIdBytes) {
      throw new WhizbangError(
        'INVALID_ARGUMENT',
        `A ${what} is ${bytes} bytes of UTF-8, over the ${limits.maxIdBytes}-byte limit (${shown(value)}). Use a shorter id, or raise "maxIdBytes" in the driver's limits; nothing was written.`,
      );
    }
  }
  if (hasRefusedText(value)) {
    throw invalidArgument(
      `A ${what} cannot hold U+0000 or an unpaired UTF-16 surrogate (${shown(value)}): drivers cannot keep it exactly. Remove it or encode the id; nothing was written.`,
    );
  }
}

/**
 * The checks before an append, the same on every driver: the stream id, the tenant, the number of
 * events, and each event's type and ids. Payloads are checked as they are encoded
 * ({@link encodePayload}).
 */
export function checkAppend(
  streamId: unknown,
  events: unknown,
  options: AppendOptions | undefined,
  limits: Limits = DEFAULT_LIMITS,
): void {
  checkId('stream id', streamId, limits);
  if (options !== undefined && options.tenant !== undefined) {
    checkId('tenant', options.tenant, limits);
  }
  if (!Array.isArray(events)) throw invalidArgument('append needs an array of events.');
  checkEventCount(events.length, limits);
  for (const event of events as readonly NewEvent[]) checkEvent(event, limits);
}

/** Throws INVALID_ARGUMENT when `count` events are more than one append may hold. */
export function checkEventCount(count: number, limits: Limits = DEFAULT_LIMITS): void {
  if (count > limits.maxEventsPerAppend) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `An append of ${count} events is over the limit of ${limits.maxEventsPerAppend} per append. Split it into several appends, or raise "maxEventsPerAppend" in the driver's limits; nothing was written.`,
    );
  }
}

let lastType: unknown;
let lastTypeLimits: Limits | undefined;

/** Checks one new event's shape: an object with a type, and well-formed ids when given. */
export function checkEvent(event: unknown, limits: Limits = DEFAULT_LIMITS): void {
  if (typeof event !== 'object' || event === null) {
    throw invalidArgument(`An event must be an object with a "type", got ${shown(event)}.`);
  }
  const e = event as NewEvent;
  // types repeat from append to append: the last one checked (under the same limits) is known good
  if (e.type !== lastType || limits !== lastTypeLimits) {
    checkId('event type', e.type, limits);
    lastType = e.type;
    lastTypeLimits = limits;
  }
  if (e.messageId !== undefined) checkId('message id', e.messageId, limits);
  if (e.correlationId !== undefined) checkId('correlation id', e.correlationId, limits);
  if (e.causationId !== undefined) checkId('causation id', e.causationId, limits);
  const metadata: unknown = e.metadata;
  if (
    metadata !== undefined &&
    (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
  ) {
    throw invalidArgument(
      `An event's metadata must be an object when given, got ${Array.isArray(metadata) ? 'an array' : shown(metadata)}.`,
    );
  }
  if (e.timestamp !== undefined && !Number.isFinite(e.timestamp)) {
    throw invalidArgument(
      `An event's timestamp must be a finite number of ms, got ${shown(e.timestamp)}.`,
    );
  }
}

/** The checks before a stream is read or its version asked: the stream id and the tenant. */
export function checkStreamRead(
  streamId: unknown,
  options: { readonly tenant?: string } | undefined,
  limits: Limits = DEFAULT_LIMITS,
): asserts streamId is string {
  checkId('stream id', streamId, limits);
  if (options !== undefined && options.tenant !== undefined)
    checkId('tenant', options.tenant, limits);
}

/** The checks before the log is read: the tenant and the types asked for (at most `maxInValues`). */
export function checkLogRead(
  options: { readonly tenant?: string; readonly types?: readonly string[] } | undefined,
  limits: Limits = DEFAULT_LIMITS,
): void {
  if (options === undefined) return;
  if (options.tenant !== undefined) checkId('tenant', options.tenant, limits);
  const types = options.types;
  if (types === undefined) return;
  if (!Array.isArray(types)) throw invalidArgument('"types" must be an array of event types.');
  if (types.length > limits.maxInValues) {
    throw invalidArgument(
      `A read of ${types.length} event types is over the limit of ${limits.maxInValues} (the "maxInValues" limit); read all types and filter, or raise the limit.`,
    );
  }
  for (const type of types) checkId('event type', type, limits);
}
