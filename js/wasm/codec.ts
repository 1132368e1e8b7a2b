/**
 * Envelopes to bytes and back (format: `core-wasm/FORMAT.md`). JavaScript does what only it can —
 * strings and JSON — and hands each record to the core once: `sealRecord` (hashes, checksum)
 * when writing, `checkSegment` (lengths, checksums, hashes, UTF-8) before reading.
 * @module
 */
import { CorruptDataError, invalidArgument } from '../util/errors.ts';
import { platform } from '../util/platform.ts';
import { type Core, jsCore } from './core.ts';
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
  R_TENANT_HASH,
  R_TIMESTAMP,
  R_TYPE_HASH,
  R_VERSION,
  RECORD_HEADER,
  reasonOf,
  S_BODY_LENGTH,
  SEGMENT_HEADER,
} from './format.ts';
import type { Views } from './twin.ts';
import * as twin from './twin.ts';

/** One envelope as the binary format carries it. */
export interface WireRecord {
  /** `'event'` or `'command'`. */
  readonly kind: 'event' | 'command';
  /** The message type's name. */
  readonly type: string;
  /** The payload (JSON). */
  readonly data: unknown;
  /** The stream (an event's is never empty); `undefined` for a message outside any stream. */
  readonly streamId: string | undefined;
  /** Version in the stream, 1-based (0 = none). */
  readonly version: number;
  /** Global position, 1-based (0 = not positioned). */
  readonly position: number;
  /** Its tenant. */
  readonly tenant: string;
  /** The message's id. */
  readonly messageId: string;
  /** The id of its chain. */
  readonly correlationId: string;
  /** The id of the message that caused it. */
  readonly causationId: string;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  /** Data about it that is not its payload, if any. */
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
}

const encoder = new platform.TextEncoder();
const decoder = new platform.TextDecoder();

/** Writes `s` as UTF-8 at `at` (room for 3 bytes a UTF-16 unit); returns the bytes written. */
export function writeString(u8: Uint8Array, at: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return i + encoder.encodeInto(s.slice(i), u8.subarray(at + i)).written;
    u8[at + i] = c;
  }
  return n;
}

/** Reads `len` bytes of (already checked) UTF-8 at `at`. */
export function readString(u8: Uint8Array, at: number, len: number): string {
  if (len === 0) return '';
  if (len <= 64) {
    let i = at;
    const end = at + len;
    while (i < end && u8[i]! < 0x80) i++;
    if (i === end)
      return String.fromCharCode.apply(null, u8.subarray(at, end) as unknown as number[]);
  }
  return decoder.decode(u8.subarray(at, at + len));
}

// Types and tenants repeat: their strings are kept by hash and confirmed byte for byte.
const interned = new Map<number, string>();
function internedString(u8: Uint8Array, at: number, len: number, hash: number): string {
  const known = interned.get(hash);
  if (known !== undefined && known.length === len) {
    let i = 0;
    while (i < len && known.charCodeAt(i) === u8[at + i]) i++;
    if (i === len) return known;
  }
  const s = readString(u8, at, len);
  if (s.length === len) {
    if (interned.size >= 4096) interned.clear();
    interned.set(hash, s);
  }
  return s;
}

/** The most bytes a record can take, before its strings are encoded. */
export function recordBound(
  r: Pick<
    WireRecord,
    'type' | 'streamId' | 'tenant' | 'messageId' | 'correlationId' | 'causationId'
  >,
  dataJson: string | undefined,
  metadataJson: string | undefined,
): number {
  return (
    RECORD_HEADER +
    3 *
      ((r.streamId?.length ?? 0) +
        r.type.length +
        r.tenant.length +
        r.messageId.length +
        r.correlationId.length +
        r.causationId.length +
        (dataJson?.length ?? 0) +
        (metadataJson?.length ?? 0))
  );
}

const FIELDS = ['stream id', 'type', 'tenant', 'message id', 'correlation id', 'causation id'];

/** Writes string field `i` of the record at `addr` at `p`, and its length; returns the bytes. */
function writeField(
  u8: Uint8Array,
  dv: DataView,
  addr: number,
  p: number,
  i: number,
  s: string,
): number {
  const n = writeString(u8, p, s);
  if (n > 0xffff)
    throw invalidArgument(
      `A record's ${FIELDS[i]} is ${n} bytes of UTF-8; the format holds at most 65535.`,
    );
  dv.setUint16(addr + R_STRING_LENS + 2 * i, n, true);
  return n;
}

function wholeNumber(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw invalidArgument(`A record's ${name} must be a whole number ≥ 0, got ${value}.`);
  return value;
}

/**
 * Writes a record at `addr` of the core's memory (room for {@link recordBound} bytes) and seals
 * it. `dataJson`/`metadataJson` are the JSON of its data and metadata (`undefined`: absent).
 * Returns its length.
 */
export function writeRecord(
  core: Core,
  addr: number,
  r: Omit<WireRecord, 'data' | 'metadata'>,
  dataJson: string | undefined,
  metadataJson: string | undefined,
): number {
  const { u8, dv } = core.views;
  u8[addr + R_KIND] = r.kind === 'event' ? KIND_EVENT : KIND_COMMAND;
  u8[addr + R_FLAGS] =
    (metadataJson === undefined ? 0 : FLAG_METADATA) | (dataJson === undefined ? FLAG_NO_DATA : 0);
  dv.setUint16(addr + R_RESERVED, 0, true);
  const position = wholeNumber('position', r.position);
  dv.setUint32(addr + R_POSITION, position >>> 0, true);
  dv.setUint32(addr + R_POSITION + 4, Math.floor(position / 0x100000000), true);
  const version = wholeNumber('version', r.version);
  dv.setUint32(addr + R_VERSION, version >>> 0, true);
  dv.setUint32(addr + R_VERSION + 4, Math.floor(version / 0x100000000), true);
  dv.setFloat64(addr + R_TIMESTAMP, r.timestamp, true);
  let p = addr + RECORD_HEADER;
  p += writeField(u8, dv, addr, p, 0, r.streamId ?? '');
  p += writeField(u8, dv, addr, p, 1, r.type);
  p += writeField(u8, dv, addr, p, 2, r.tenant);
  p += writeField(u8, dv, addr, p, 3, r.messageId);
  p += writeField(u8, dv, addr, p, 4, r.correlationId);
  p += writeField(u8, dv, addr, p, 5, r.causationId);
  const metaLen = metadataJson === undefined ? 0 : writeString(u8, p, metadataJson);
  dv.setUint32(addr + R_METADATA_LEN, metaLen, true);
  p += metaLen;
  dv.setUint32(addr + R_DATA_LEN, dataJson === undefined ? 0 : writeString(u8, p, dataJson), true);
  return core.sealRecord(addr);
}

function parseJson(u8: Uint8Array, at: number, len: number, base: number, what: string): unknown {
  try {
    return JSON.parse(readString(u8, at, len));
  } catch (cause) {
    throw new CorruptDataError('bad-json', at - base, `the ${what} is not JSON`, { cause });
  }
}

/**
 * Reads the (checked or self-written) record at `addr`. `base` is subtracted from addresses in
 * errors, so offsets count from the start of the caller's bytes.
 */
export function readRecord(m: Views, addr: number, base = 0): WireRecord {
  const { u8, dv } = m;
  const streamLen = dv.getUint16(addr + R_STRING_LENS, true);
  const typeLen = dv.getUint16(addr + R_STRING_LENS + 2, true);
  const tenantLen = dv.getUint16(addr + R_STRING_LENS + 4, true);
  const idLen = dv.getUint16(addr + R_STRING_LENS + 6, true);
  const corrLen = dv.getUint16(addr + R_STRING_LENS + 8, true);
  const causeLen = dv.getUint16(addr + R_STRING_LENS + 10, true);
  const metaLen = dv.getUint32(addr + R_METADATA_LEN, true);
  const dataLen = dv.getUint32(addr + R_DATA_LEN, true);
  const flags = u8[addr + R_FLAGS]!;
  let p = addr + RECORD_HEADER;
  const streamId = streamLen === 0 ? undefined : readString(u8, p, streamLen);
  p += streamLen;
  const type = internedString(u8, p, typeLen, dv.getUint32(addr + R_TYPE_HASH, true));
  p += typeLen;
  const tenant = internedString(u8, p, tenantLen, dv.getUint32(addr + R_TENANT_HASH, true));
  p += tenantLen;
  const messageId = readString(u8, p, idLen);
  p += idLen;
  const correlationId =
    corrLen === idLen && corrLen > 0 && sameBytes(u8, p - idLen, p, idLen)
      ? messageId
      : readString(u8, p, corrLen);
  p += corrLen;
  const causationId =
    causeLen === idLen && causeLen > 0 && sameBytes(u8, p - idLen - corrLen, p, idLen)
      ? messageId
      : readString(u8, p, causeLen);
  p += causeLen;
  let metadata: Record<string, unknown> | undefined;
  if ((flags & FLAG_METADATA) !== 0) {
    const parsed = parseJson(u8, p, metaLen, base, 'metadata');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new CorruptDataError('bad-json', p - base, 'the metadata is not a JSON object');
    metadata = parsed as Record<string, unknown>;
  }
  p += metaLen;
  const data = (flags & FLAG_NO_DATA) !== 0 ? undefined : parseJson(u8, p, dataLen, base, 'data');
  return {
    kind: u8[addr + R_KIND] === KIND_EVENT ? 'event' : 'command',
    type,
    data,
    streamId,
    version:
      dv.getUint32(addr + R_VERSION, true) + dv.getUint32(addr + R_VERSION + 4, true) * 0x100000000,
    position:
      dv.getUint32(addr + R_POSITION, true) +
      dv.getUint32(addr + R_POSITION + 4, true) * 0x100000000,
    tenant,
    messageId,
    correlationId,
    causationId,
    timestamp: dv.getFloat64(addr + R_TIMESTAMP, true),
    metadata,
  };
}

function sameBytes(u8: Uint8Array, a: number, b: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (u8[a + i] !== u8[b + i]) return false;
  return true;
}

/** Throws the {@link CorruptDataError} for a negative status of `core` (offsets from `base`). */
export function corrupt(status: number, at: number, base: number): CorruptDataError {
  return new CorruptDataError(reasonOf(status), at - base);
}

let scratchCore: Core | undefined;
const defaultCore = (): Core => {
  scratchCore ??= jsCore.create();
  return scratchCore;
};

/** Options of {@link encodeSegment} and {@link decodeSegments}. */
export interface CodecOptions {
  /** The core to work in (a WebAssembly one from `loadWasmCore().create()`); the twin by default. */
  readonly core?: Core;
}

/** Encodes records as one segment (a batch), returned as its own bytes. */
export function encodeSegment(
  records: readonly WireRecord[],
  options: CodecOptions = {},
): Uint8Array {
  const core = options.core ?? defaultCore();
  const mark = core.mark();
  try {
    const json: (string | undefined)[] = new Array(records.length * 2);
    let bound = SEGMENT_HEADER;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      const data = JSON.stringify(r.data) as string | undefined;
      const meta = r.metadata === undefined ? undefined : JSON.stringify(r.metadata);
      json[2 * i] = data;
      json[2 * i + 1] = meta;
      bound += recordBound(r, data, meta);
    }
    const start = core.alloc(bound);
    let p = start + SEGMENT_HEADER;
    for (let i = 0; i < records.length; i++)
      p += writeRecord(core, p, records[i]!, json[2 * i], json[2 * i + 1]);
    core.sealSegment(start, records.length, p - start - SEGMENT_HEADER);
    return core.views.u8.slice(start, p);
  } finally {
    core.reset(mark);
  }
}

/**
 * Decodes a batch: one segment or several back to back. Every byte is checked before any record
 * is read; bad bytes throw {@link CorruptDataError} with the offset of the bad field.
 */
export function decodeSegments(bytes: Uint8Array, options: CodecOptions = {}): WireRecord[] {
  const core = options.core;
  if (core === undefined || core.kind === 'js' || core.plan.check === 'js') {
    // the twin reads the caller's bytes where they are
    const m = twin.viewsOf(bytes);
    return decodeIn(
      m,
      0,
      bytes.length,
      (at, avail) => twin.checkSegment(m, at, avail),
      twin.errorOffset,
      0,
    );
  }
  const mark = core.mark();
  try {
    const base = core.alloc(bytes.length);
    core.views.u8.set(bytes, base);
    return decodeIn(core.views, base, bytes.length, core.checkSegment, core.errorOffset, base);
  } finally {
    core.reset(mark);
  }
}

function decodeIn(
  m: Views,
  start: number,
  length: number,
  check: (at: number, avail: number) => number,
  errorOffset: () => number,
  base: number,
): WireRecord[] {
  const out: WireRecord[] = [];
  const end = start + length;
  let at = start;
  do {
    const status = check(at, end - at);
    if (status < 0) throw corrupt(status, errorOffset(), base);
    let p = at + SEGMENT_HEADER;
    const next = p + m.dv.getUint32(at + S_BODY_LENGTH, true);
    while (p < next) {
      out.push(readRecord(m, p, base));
      p += m.dv.getUint32(p, true);
    }
    at = next;
  } while (at < end);
  return out;
}

/** FNV-1a (32 bits) of a string's UTF-8: the hash the format keeps for streams, types, tenants. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      const bytes = encoder.encode(s.slice(i));
      for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
      return h >>> 0;
    }
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h >>> 0;
}
