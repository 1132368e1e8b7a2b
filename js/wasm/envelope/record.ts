/**
 * One envelope as one record of the binary format, both ways: what the record's fields hold, what
 * rides in its metadata (hops, traceparent, any other field), and the fast paths for ASCII strings
 * and for metadata that is a traceparent and no hops (what most envelopes are).
 */

import type { WireEnvelope, WireHop } from '../../contracts/transport.ts';
import { CorruptDataError } from '../../util/errors.ts';
import { platform } from '../../util/platform.ts';
import { readString, type WireRecord } from '../codec.ts';
import type { Core } from '../core.ts';
import {
  FLAG_METADATA,
  FLAG_NO_DATA,
  KIND_COMMAND,
  KIND_EVENT,
  R_DATA_LEN,
  R_FLAGS,
  R_KIND,
  R_METADATA_LEN,
  R_POSITION,
  R_RESERVED,
  R_STRING_LENS,
  R_TIMESTAMP,
  R_VERSION,
  RECORD_HEADER,
} from '../format.ts';
import type * as twin from '../twin.ts';
import { malformed } from './codec.ts';

/** What the record's metadata holds besides the record's own fields. */
interface Rest {
  /** The traceparent. */
  t?: string;
  /** The hops. */
  h: readonly WireHop[];
  /** Envelope fields the record has no place for (or values it cannot hold), as they were. */
  e?: Record<string, unknown>;
  /** Message fields besides kind, type and data. */
  m?: Record<string, unknown>;
}

// what the record holds natively; anything else goes to the metadata
const NATIVE = new Set([
  'message',
  'messageId',
  'correlationId',
  'causationId',
  'streamId',
  'tenant',
  'timestamp',
  'traceparent',
  'hops',
  'version',
  'position',
]);
const MESSAGE = new Set(['kind', 'type', 'data']);

export const positive = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 1;

/**
 * The metadata JSON: the traceparent, the hops, and whatever else the envelope or its message
 * holds that the record has no place for (kept as it was, so the envelope comes back whole).
 */
export function restJson(envelope: WireEnvelope): string {
  let extra: Record<string, unknown> | undefined;
  const keep = (key: string, value: unknown): void => {
    extra ??= {};
    extra[key] = value;
  };
  for (const key in envelope) {
    const value = (envelope as unknown as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (!NATIVE.has(key)) keep(key, value);
    else if (key === 'streamId' && (typeof value !== 'string' || value === '')) keep(key, value);
    else if ((key === 'version' || key === 'position') && !positive(value)) keep(key, value);
    else if (key === 'traceparent' && typeof value !== 'string') keep(key, value);
  }
  let more: Record<string, unknown> | undefined;
  for (const key in envelope.message) {
    if (MESSAGE.has(key)) continue;
    const value = (envelope.message as unknown as Record<string, unknown>)[key];
    if (value === undefined) continue;
    more ??= {};
    more[key] = value;
  }
  // written by hand: this is most of what an envelope costs to encode
  let json =
    typeof envelope.traceparent === 'string'
      ? `{"t":${JSON.stringify(envelope.traceparent)},"h":`
      : '{"h":';
  json += envelope.hops.length === 0 ? '[]' : JSON.stringify(envelope.hops);
  if (extra !== undefined) json += `,"e":${JSON.stringify(extra)}`;
  if (more !== undefined) json += `,"m":${JSON.stringify(more)}`;
  return `${json}}`;
}

// `{"t":"` … `","h":[]}`: the metadata of an envelope without hops, read without JSON.parse
const T_OPEN = [0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22];
const T_CLOSE = [0x22, 0x2c, 0x22, 0x68, 0x22, 0x3a, 0x5b, 0x5d, 0x7d];

function plainTraceparent(
  u8: Uint8Array,
  at: number,
  len: number,
  text: string | undefined,
  textAt: number,
): string | undefined {
  const end = at + len - T_CLOSE.length;
  if (end < at + T_OPEN.length) return undefined;
  for (let i = 0; i < T_OPEN.length; i++) if (u8[at + i] !== T_OPEN[i]) return undefined;
  for (let i = 0; i < T_CLOSE.length; i++) if (u8[end + i] !== T_CLOSE[i]) return undefined;
  // only [0-9a-z-] between the quotes: a JSON string with nothing to unescape
  for (let p = at + T_OPEN.length; p < end; p++) {
    const c = u8[p]!;
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c === 0x2d)) return undefined;
  }
  // from the record's text when it was decoded whole (`textAt` is where `at` is in it)
  const from = textAt + T_OPEN.length;
  return text === undefined
    ? readString(u8, at + T_OPEN.length, end - at - T_OPEN.length)
    : text.slice(from, from + end - at - T_OPEN.length);
}

function parsed(u8: Uint8Array, at: number, len: number, what: string, text?: string): unknown {
  try {
    return JSON.parse(text ?? readString(u8, at, len));
  } catch (cause) {
    throw malformed(
      `its ${what} is not JSON`,
      new CorruptDataError('bad-json', at, what, { cause }),
    );
  }
}

function isRest(value: unknown): value is Rest {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const object = (v: unknown): boolean =>
    v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v));
  return (
    Array.isArray(r.h) &&
    (r.t === undefined || typeof r.t === 'string') &&
    object(r.e) &&
    object(r.m)
  );
}

/** Copies own fields as data (a `__proto__` key from JSON stays a plain field). */
function assign(to: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const key of Object.keys(from)) {
    Object.defineProperty(to, key, {
      value: from[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

const encoder = new platform.TextEncoder();
const decoder = new platform.TextDecoder();

/**
 * Writes the record's strings with one `encodeInto` when they are all ASCII (what envelopes
 * mostly are); `undefined` otherwise, for `writeRecord` to write them one by one.
 */
export function writeAscii(
  core: Core,
  at: number,
  r: Omit<WireRecord, 'data' | 'metadata'>,
  data: string | undefined,
  rest: string,
): number | undefined {
  const fields = [
    r.streamId ?? '',
    r.type,
    r.tenant,
    r.messageId,
    r.correlationId,
    r.causationId,
  ] as const;
  const text =
    fields[0] + fields[1] + fields[2] + fields[3] + fields[4] + fields[5] + rest + (data ?? '');
  const { u8, dv } = core.views;
  const body = at + RECORD_HEADER;
  if (encoder.encodeInto(text, u8.subarray(body, body + 3 * text.length)).written !== text.length) {
    return undefined;
  }
  for (let i = 0; i < 6; i++) {
    if (fields[i]!.length > 0xffff) return undefined; // writeRecord says which field
    dv.setUint16(at + R_STRING_LENS + 2 * i, fields[i]!.length, true);
  }
  u8[at + R_KIND] = r.kind === 'event' ? KIND_EVENT : KIND_COMMAND;
  u8[at + R_FLAGS] = FLAG_METADATA | (data === undefined ? FLAG_NO_DATA : 0);
  dv.setUint16(at + R_RESERVED, 0, true);
  dv.setUint32(at + R_POSITION, r.position >>> 0, true);
  dv.setUint32(at + R_POSITION + 4, Math.floor(r.position / 0x100000000), true);
  dv.setUint32(at + R_VERSION, r.version >>> 0, true);
  dv.setUint32(at + R_VERSION + 4, Math.floor(r.version / 0x100000000), true);
  dv.setFloat64(at + R_TIMESTAMP, r.timestamp, true);
  dv.setUint32(at + R_METADATA_LEN, rest.length, true);
  dv.setUint32(at + R_DATA_LEN, data === undefined ? 0 : data.length, true);
  return core.sealRecord(at);
}

/** Reads the checked record at `addr` as an envelope. */
export function read(m: twin.Views, addr: number): WireEnvelope {
  const { u8, dv } = m;
  const flags = u8[addr + R_FLAGS]!;
  if ((flags & FLAG_METADATA) === 0) throw malformed('its record has no envelope metadata');
  const len = (i: number): number => dv.getUint16(addr + R_STRING_LENS + 2 * i, true);
  let p = addr + RECORD_HEADER;
  // one decode of the whole variable part when it is ASCII (as long in characters as in bytes)
  const size = dv.getUint32(addr, true) - RECORD_HEADER;
  const all = size <= 4096 ? decoder.decode(u8.subarray(p, p + size)) : '';
  const ascii = all.length === size;
  const text = (i: number): string => {
    const n = len(i);
    const s = ascii
      ? all.slice(p - addr - RECORD_HEADER, p - addr - RECORD_HEADER + n)
      : readString(u8, p, n);
    p += n;
    return s;
  };
  const streamId = text(0);
  const type = text(1);
  const tenant = text(2);
  const messageId = text(3);
  const correlationId = text(4);
  const causationId = text(5);
  const metaLen = dv.getUint32(addr + R_METADATA_LEN, true);
  const from = p - addr - RECORD_HEADER;
  const traceparent = plainTraceparent(u8, p, metaLen, ascii ? all : undefined, from);
  const rest =
    traceparent === undefined
      ? parsed(u8, p, metaLen, 'metadata', ascii ? all.slice(from, from + metaLen) : undefined)
      : undefined;
  p += metaLen;
  const dataLen = dv.getUint32(addr + R_DATA_LEN, true);
  const data =
    (flags & FLAG_NO_DATA) !== 0
      ? undefined
      : parsed(u8, p, dataLen, 'data', ascii ? all.slice(from + metaLen) : undefined);
  const u64 = (at: number): number =>
    dv.getUint32(at, true) + dv.getUint32(at + 4, true) * 0x100000000;
  return envelopeOf(
    {
      kind: u8[addr + R_KIND] === KIND_EVENT ? 'event' : 'command',
      type,
      streamId: streamId === '' ? undefined : streamId,
      version: u64(addr + R_VERSION),
      position: u64(addr + R_POSITION),
      tenant,
      messageId,
      correlationId,
      causationId,
      timestamp: dv.getFloat64(addr + R_TIMESTAMP, true),
    },
    data,
    traceparent === undefined ? rest : { t: traceparent, h: [] },
  );
}

/** An envelope from a record's fields, its data and its metadata (refused unless it has hops). */
export function envelopeOf(
  r: Omit<WireRecord, 'data' | 'metadata'>,
  data: unknown,
  rest: unknown,
): WireEnvelope {
  if (!isRest(rest)) throw malformed('its record has no envelope metadata (hops)');
  const message: Record<string, unknown> = { kind: r.kind, type: r.type, data };
  if (rest.m !== undefined) assign(message, rest.m);
  const envelope: Record<string, unknown> = {
    message,
    messageId: r.messageId,
    correlationId: r.correlationId,
    causationId: r.causationId,
  };
  if (r.streamId !== undefined) envelope.streamId = r.streamId;
  envelope.tenant = r.tenant;
  envelope.timestamp = r.timestamp;
  if (rest.t !== undefined) envelope.traceparent = rest.t;
  envelope.hops = rest.h;
  if (r.version !== 0) envelope.version = r.version;
  if (r.position !== 0) envelope.position = r.position;
  if (rest.e !== undefined) assign(envelope, rest.e);
  return envelope as unknown as WireEnvelope;
}
