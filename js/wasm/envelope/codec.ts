/**
 * How envelopes become bytes on a transport: one small interface, with two formats — the
 * binary format of the WebAssembly core (`binary.ts`, the default) and UTF-8 JSON (here).
 */

import type { WireEnvelope } from '../../contracts/transport.ts';
import { WhizbangError } from '../../util/errors.ts';
import { platform } from '../../util/platform.ts';

/** Turns envelopes into bytes and back; `decode` throws `MALFORMED_MESSAGE` for bytes it cannot read. */
export interface EnvelopeCodec {
  /** The MIME type of the format, for whoever reads the bytes with other tools. */
  readonly contentType: string;
  /** The envelope as bytes. */
  encode(envelope: WireEnvelope): Uint8Array;
  /** The envelope from bytes (throws `CorruptDataError` on bad ones). */
  decode(bytes: Uint8Array): WireEnvelope;
}

const encoder = new platform.TextEncoder();
const decoder = new platform.TextDecoder('utf-8', { fatal: true });

/** A message that is not a Whizbang envelope: random bytes, another format, a wrong version. */
export function malformed(why: string, cause?: unknown): WhizbangError {
  return new WhizbangError(
    'MALFORMED_MESSAGE',
    `A message on a Whizbang subject is not an envelope: ${why}. It was set aside as a dead letter; publish envelopes through a Whizbang transport.`,
    cause === undefined ? undefined : { cause },
  );
}

function isEnvelope(value: unknown): value is WireEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const message = v.message as Record<string, unknown> | null | undefined;
  return (
    typeof message === 'object' &&
    message !== null &&
    (message.kind === 'event' || message.kind === 'command') &&
    typeof message.type === 'string' &&
    typeof v.messageId === 'string' &&
    typeof v.tenant === 'string' &&
    Array.isArray(v.hops)
  );
}

/** Envelopes as UTF-8 JSON: what JSON cannot carry is refused at `encode` with `INVALID_ARGUMENT`. */
export const jsonCodec: EnvelopeCodec = {
  contentType: 'application/json',
  encode(envelope: WireEnvelope): Uint8Array {
    if (typeof envelope !== 'object' || envelope === null) {
      throw new WhizbangError(
        'INVALID_ARGUMENT',
        `publish needs an envelope object, got ${String(envelope)}.`,
      );
    }
    let json: string;
    try {
      json = JSON.stringify(envelope);
    } catch (error) {
      throw new WhizbangError(
        'INVALID_ARGUMENT',
        `The envelope cannot be sent as JSON (${error instanceof Error ? error.message : String(error)}). ` +
          'Keep message data JSON-safe: no BigInt, cycles or functions.',
        { cause: error },
      );
    }
    return encoder.encode(json);
  },
  decode(bytes: Uint8Array): WireEnvelope {
    let value: unknown;
    try {
      value = JSON.parse(decoder.decode(bytes));
    } catch (error) {
      throw malformed('its bytes are not UTF-8 JSON', error);
    }
    if (!isEnvelope(value)) throw malformed('its JSON lacks the fields of an envelope');
    return value;
  },
};
