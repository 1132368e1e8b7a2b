/**
 * An event's payload as stored: data and metadata as JSON text, refused before any transaction
 * begins when it is over the driver's limit. Shared by the drivers that store JSON (SQLite,
 * IndexedDB), so every one of them refuses the same events with the same error.
 */

import type { NewEvent } from '../contracts/ledger.ts';
import { WhizbangError } from '../util/errors.ts';

/** The default largest payload (data + metadata as JSON), in bytes of UTF-8: 1 MiB. */
export const MAX_PAYLOAD_BYTES: number = 1024 * 1024;

/** An event's data and metadata as JSON text. */
export interface EncodedPayload {
  /** The payload as JSON text. */
  readonly data: string;
  /** `null` when the event has no metadata. */
  readonly metadata: string | null;
}

/** Bytes of `text` as UTF-8 (as the drivers store it); a lone surrogate counts as U+FFFD would. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2; // a pair: 2 units, 4 bytes
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

/**
 * Encodes an event's payload, or throws INVALID_ARGUMENT when it is over `maxBytes` of UTF-8.
 * A value JSON cannot hold (a BigInt, a cycle) throws JSON's own TypeError.
 */
export function encodePayload(streamId: string, event: NewEvent, maxBytes: number): EncodedPayload {
  const data = JSON.stringify(event.data ?? null);
  const metadata = event.metadata === undefined ? null : JSON.stringify(event.metadata);
  checkPayloadSize(event.type, streamId, data, metadata, maxBytes);
  return { data, metadata };
}

/** Throws INVALID_ARGUMENT when JSON text of an event is over `maxBytes` of UTF-8. */
export function checkPayloadSize(
  type: string,
  streamId: string,
  data: string,
  metadata: string | null,
  maxBytes: number,
): void {
  // a UTF-16 unit is at most 3 bytes of UTF-8: only a payload that could be over is counted
  const units = data.length + (metadata?.length ?? 0);
  if (units * 3 <= maxBytes) return;
  const bytes = utf8Length(data) + (metadata === null ? 0 : utf8Length(metadata));
  if (bytes > maxBytes) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `An event of type "${type}" for stream "${streamId}" is ${bytes} bytes as JSON, over the ${maxBytes}-byte limit. Store large content elsewhere and reference it; nothing was written.`,
    );
  }
}
