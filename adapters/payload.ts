/**
 * What every storage adapter checks the same way before a write begins: payload size in UTF-8
 * bytes (as the databases store it) and whole-number read options.
 */
import { invalidArgument, WhizbangError } from '../js/errors.ts';

/** Bytes of `text` as UTF-8; a lone surrogate counts as U+FFFD would. */
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
 * Refuses an event whose JSON (data plus metadata) is over `max` bytes of UTF-8, with nothing
 * written. A UTF-16 unit is at most 3 bytes: only a payload that could be over is counted.
 */
export function checkPayload(
  type: string,
  streamId: string,
  data: string,
  metadata: string | null,
  max: number,
): void {
  const units = data.length + (metadata?.length ?? 0);
  if (units * 3 <= max) return;
  const bytes = utf8Length(data) + (metadata === null ? 0 : utf8Length(metadata));
  if (bytes > max) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `An event of type "${type}" for stream "${streamId}" is ${bytes} bytes as JSON, over the ${max}-byte limit. Store large content elsewhere and reference it; nothing was written.`,
    );
  }
}

/** A read option that must be a whole number ≥ 0, or `fallback` when absent. */
export function whole(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0)
    throw invalidArgument(`"${name}" must be a whole number ≥ 0, got ${value}.`);
  return value;
}
