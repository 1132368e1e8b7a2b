/**
 * An event's payload as stored: data and metadata as JSON text, refused before any transaction
 * begins when it cannot be kept the same on every driver — over the size or depth limit, a value
 * JSON cannot hold (a BigInt, a cycle), U+0000 or an unpaired surrogate in its text.
 */

import type { NewEvent } from '../contracts/ledger.ts';
import { WhizbangError } from '../util/errors.ts';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import { utf8Length } from './utf8.ts';

export { utf8Length };

/** The default largest payload (data + metadata as JSON), in bytes of UTF-8: 1 MiB. */
export const MAX_PAYLOAD_BYTES: number = DEFAULT_LIMITS.maxPayloadBytes;

/** An event's data and metadata as JSON text. */
export interface EncodedPayload {
  /** The payload as JSON text. */
  readonly data: string;
  /** `null` when the event has no metadata. */
  readonly metadata: string | null;
}

// `\u0000` or an unpaired surrogate escape (JSON.stringify writes pairs as characters, lone
// surrogates as escapes), not preceded by an escaped backslash
const REFUSED_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f])/i;

function refused(type: string, what: string, reason: string, cause?: unknown): WhizbangError {
  return new WhizbangError(
    'INVALID_ARGUMENT',
    `The ${what} of a "${type.length > 60 ? `${type.slice(0, 60)}…` : type}" event ${reason}; nothing was written.`,
    cause === undefined ? undefined : { cause },
  );
}

/** True when JSON text nests arrays and objects deeper than `max`. */
export function deeperThan(json: string, max: number): boolean {
  if (json.length <= 2 * max) return false; // too short to nest deeper
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/**
 * `value` as JSON text (`undefined` for `undefined`), or INVALID_ARGUMENT when no driver could keep
 * it as it is: a BigInt, a cycle, nesting deeper than `limits.maxDepth`, U+0000 or an unpaired
 * surrogate in a string or key. Its size is checked by {@link checkPayloadSize}.
 */
export function payloadJson(
  type: string,
  what: string,
  value: unknown,
  limits: Limits = DEFAULT_LIMITS,
): string | undefined {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    const deep = cause instanceof RangeError;
    throw refused(
      type,
      what,
      deep
        ? `nests deeper than JSON can hold (the limit is ${limits.maxDepth} levels)`
        : `cannot be stored as JSON (${cause instanceof Error ? cause.message : String(cause)}): use plain objects, arrays, strings, numbers, booleans and null`,
      cause,
    );
  }
  if (json === undefined) return undefined;
  if (deeperThan(json, limits.maxDepth)) {
    throw refused(
      type,
      what,
      `nests arrays and objects deeper than ${limits.maxDepth} levels (raise "maxDepth" in the driver's limits)`,
    );
  }
  if (json.includes('\\u') && REFUSED_ESCAPE.test(json)) {
    throw refused(
      type,
      what,
      'holds U+0000 or an unpaired UTF-16 surrogate, which not every driver can keep: remove it or encode the text (base64, for instance)',
    );
  }
  return json;
}

/**
 * Encodes an event's payload, or throws INVALID_ARGUMENT when no driver could keep it
 * ({@link payloadJson}) or it is over the payload limit (`limits`, or a number of bytes).
 */
export function encodePayload(
  streamId: string,
  event: NewEvent,
  limits: Limits | number = DEFAULT_LIMITS,
): EncodedPayload {
  const all = typeof limits === 'number' ? { ...DEFAULT_LIMITS, maxPayloadBytes: limits } : limits;
  const data = payloadJson(event.type, 'data', event.data ?? null, all) ?? 'null';
  const metadata =
    event.metadata === undefined
      ? null
      : (payloadJson(event.type, 'metadata', event.metadata, all) ?? null);
  checkPayloadSize(event.type, streamId, data, metadata, all.maxPayloadBytes);
  return { data, metadata };
}

/** Throws INVALID_ARGUMENT when JSON text of an event is over `maxBytes` of UTF-8. */
export function checkPayloadSize(
  type: string,
  streamId: string,
  data: string,
  metadata: string | null | undefined,
  maxBytes: number,
): void {
  // a UTF-16 unit is at most 3 bytes of UTF-8: only a payload that could be over is counted
  const units = data.length + (metadata?.length ?? 0);
  if (units * 3 <= maxBytes) return;
  const bytes = utf8Length(data) + (metadata == null ? 0 : utf8Length(metadata));
  if (bytes > maxBytes) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `An event of type "${type}" for stream "${streamId.length > 60 ? `${streamId.slice(0, 60)}…` : streamId}" is ${bytes} bytes as JSON, over the ${maxBytes}-byte limit. Store large content elsewhere and reference it, or raise "maxPayloadBytes" in the driver's limits; nothing was written.`,
    );
  }
}
