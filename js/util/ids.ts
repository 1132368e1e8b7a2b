/**
 * Identifiers: UUIDv7 message ids (RFC 9562, monotonic within a millisecond) and W3C trace
 * context ids. Random bytes come from `crypto.getRandomValues` in pooled blocks: one call per
 * 4 KiB instead of one per id, which keeps id creation off the profile of the dispatch path.
 */

import { platform } from './platform.ts';

const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;

function random(count: number): number {
  if (poolOffset + count > POOL_SIZE) {
    platform.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += count;
  return at;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex(at: number, count: number): string {
  let out = '';
  for (let i = at; i < at + count; i++) out += HEX[pool[i]!];
  return out;
}

// UUIDs are written as bytes and decoded once: a flat string, where concatenation would leave a
// tree of string pieces for the collector to trace for as long as the id lives.
const HEX_CODES = new platform.TextEncoder().encode('0123456789abcdef');
const text = new platform.TextDecoder();
const uuid = new platform.TextEncoder().encode('00000000-0000-7000-8000-000000000000');
let lastMs = -1;
let sequence = 0;

function writeHex(at: number, value: number, digits: number): void {
  for (let i = digits - 1; i >= 0; i--) {
    uuid[at + i] = HEX_CODES[value & 0xf]!;
    value = Math.floor(value / 16);
  }
}

function writeByte(at: number, byte: number): void {
  uuid[at] = HEX_CODES[byte >> 4]!;
  uuid[at + 1] = HEX_CODES[byte & 0xf]!;
}

function setTime(ms: number): void {
  writeHex(0, Math.floor(ms / 0x10000), 8);
  writeHex(9, ms % 0x10000, 4);
}

/** A new UUIDv7: time-ordered, with a 12-bit counter that keeps ids from one millisecond in order. */
export function uuidv7(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    const at = random(2);
    sequence = ((pool[at]! << 8) | pool[at + 1]!) & 0x7ff; // leave room to count up
    setTime(now);
  } else if (++sequence > 0xfff) {
    lastMs++; // counter exhausted: borrow the next millisecond, as RFC 9562 allows
    sequence = 0;
    setTime(lastMs);
  }
  writeHex(15, sequence, 3);
  const at = random(8);
  writeByte(19, (pool[at]! & 0x3f) | 0x80);
  writeByte(21, pool[at + 1]!);
  for (let i = 2; i < 8; i++) writeByte(20 + 2 * i, pool[at + i]!);
  return text.decode(uuid);
}

/** A 16-byte W3C trace id, as 32 lowercase hex characters. */
export function traceId(): string {
  return hex(random(16), 16);
}

/** An 8-byte W3C span id, as 16 lowercase hex characters. */
export function spanId(): string {
  return hex(random(8), 8);
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Parses a W3C `traceparent` header; undefined when it is not one. */
export function parseTraceparent(
  value: string,
): { traceId: string; parentId: string; flags: string } | undefined {
  const m = TRACEPARENT.exec(value);
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return { traceId: m[1]!, parentId: m[2]!, flags: m[3]! };
}
