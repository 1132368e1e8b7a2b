/**
 * Envelopes on the wire in the binary format of the WebAssembly core (`core-wasm/FORMAT.md`): one
 * message is one segment of one record, checked by its CRC32C before anything is read. The
 * record carries what the format names (kind, type, stream, version, position, tenant, ids,
 * timestamp, data as JSON text); the rest of the envelope — its hops, its traceparent and any other
 * field — rides in the record's metadata, a JSON object (`record.ts`).
 */

import type { WireEnvelope } from '../../contracts/transport.ts';
import { type CorruptDataError, isCorruptDataError, WhizbangError } from '../../util/errors.ts';
import {
  type CodecOptions,
  corrupt,
  decodeSegments,
  recordBound,
  type WireRecord,
  writeRecord,
} from '../codec.ts';
import { jsCore } from '../core.ts';
import { S_BODY_LENGTH, SEGMENT_HEADER } from '../format.ts';
import * as twin from '../twin.ts';
import { type EnvelopeCodec, malformed } from './codec.ts';
import { envelopeOf, positive, read, restJson, writeAscii } from './record.ts';

function notAnEnvelope(why: string): WhizbangError {
  return new WhizbangError('INVALID_ARGUMENT', `publish needs an envelope: ${why}.`);
}

function checked(envelope: WireEnvelope): void {
  if (typeof envelope !== 'object' || envelope === null) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `publish needs an envelope object, got ${String(envelope)}.`,
    );
  }
  const m = envelope.message as unknown as Record<string, unknown> | null | undefined;
  if (typeof m !== 'object' || m === null) throw notAnEnvelope('it has no message object');
  if (m.kind !== 'event' && m.kind !== 'command') {
    throw notAnEnvelope(`its message kind is ${JSON.stringify(m.kind)}, not "event" or "command"`);
  }
  if (typeof m.type !== 'string' || m.type === '') {
    throw notAnEnvelope('its message type must be a non-empty string');
  }
  for (const key of ['messageId', 'correlationId', 'causationId', 'tenant'] as const) {
    if (typeof envelope[key] !== 'string') throw notAnEnvelope(`its ${key} must be a string`);
  }
  if (typeof envelope.timestamp !== 'number') {
    throw notAnEnvelope('its timestamp must be epoch milliseconds');
  }
  if (!Array.isArray(envelope.hops)) throw notAnEnvelope('its hops must be an array');
}

/** The MIME type of one envelope in the binary format, version 1. */
export const BINARY_CONTENT_TYPE = 'application/vnd.whizbang.segment; version=1';

/**
 * Envelopes as one-record segments of the binary format (the transport's default). `core` is the
 * core that checks and seals the bytes: the TypeScript twin unless given (`loadWasmCore().create()`
 * for the WebAssembly one). `decode` refuses bad bytes with `MALFORMED_MESSAGE`, whose `cause` is
 * the `CorruptDataError` that says what was wrong and where (a wrong format version is
 * `unsupported-version`).
 */
export function binaryCodec(options: CodecOptions = {}): EnvelopeCodec {
  const core = options.core ?? jsCore.create();
  const checkInPlace = core.kind === 'js' || core.plan.check === 'js';
  return {
    contentType: BINARY_CONTENT_TYPE,
    encode(envelope: WireEnvelope): Uint8Array {
      checked(envelope);
      const { message } = envelope;
      let data: string | undefined;
      let rest: string;
      try {
        data = JSON.stringify(message.data) as string | undefined;
        rest = restJson(envelope);
      } catch (error) {
        throw new WhizbangError(
          'INVALID_ARGUMENT',
          `The envelope cannot be sent (${error instanceof Error ? error.message : String(error)}). ` +
            'Keep message data JSON-safe: no BigInt, cycles or functions.',
          { cause: error },
        );
      }
      const record = {
        kind: message.kind,
        type: message.type,
        streamId:
          typeof envelope.streamId === 'string' && envelope.streamId !== ''
            ? envelope.streamId
            : undefined,
        version: positive(envelope.version) ? envelope.version : 0,
        position: positive(envelope.position) ? envelope.position : 0,
        tenant: envelope.tenant,
        messageId: envelope.messageId,
        correlationId: envelope.correlationId,
        causationId: envelope.causationId,
        timestamp: envelope.timestamp,
      };
      const mark = core.mark();
      try {
        const start = core.alloc(SEGMENT_HEADER + recordBound(record, data, rest));
        const at = start + SEGMENT_HEADER;
        const length =
          writeAscii(core, at, record, data, rest) ?? writeRecord(core, at, record, data, rest);
        core.sealSegment(start, 1, length);
        return core.views.u8.slice(start, at + length);
      } finally {
        core.reset(mark);
      }
    },
    decode(bytes: Uint8Array): WireEnvelope {
      if (!checkInPlace) return fromRecords(decodeChecked(bytes, options));
      const m = twin.viewsOf(bytes);
      const status = twin.checkSegment(m, 0, bytes.length);
      if (status < 0) throw notSegment(corrupt(status, twin.errorOffset(), 0));
      if (status !== 1 || SEGMENT_HEADER + m.dv.getUint32(S_BODY_LENGTH, true) !== bytes.length) {
        return fromRecords(decodeChecked(bytes, options));
      }
      return read(m, SEGMENT_HEADER);
    },
  };
}

function notSegment(error: CorruptDataError): WhizbangError {
  return malformed(
    `its bytes are not a segment of the binary format, version 1 (${error.reason} at byte ${error.offset})`,
    error,
  );
}

function decodeChecked(bytes: Uint8Array, options: CodecOptions): WireRecord[] {
  try {
    return decodeSegments(bytes, options);
  } catch (error) {
    if (isCorruptDataError(error)) throw notSegment(error);
    throw error;
  }
}

/** The one envelope of a checked batch: a segment of one record, nothing else. */
function fromRecords(records: WireRecord[]): WireEnvelope {
  if (records.length !== 1) {
    throw malformed(`it holds ${records.length} records; an envelope is one segment of one record`);
  }
  const r = records[0]!;
  return envelopeOf(r, r.data, r.metadata);
}
