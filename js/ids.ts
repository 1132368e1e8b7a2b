/**
 * Identifiers: UUIDv7 message ids (RFC 9562, monotonic within a millisecond) and W3C trace
 * context ids. Random bytes come from `crypto.getRandomValues` in pooled blocks: one call per
 * 4 KiB instead of one per id, which keeps id creation off the profile of the dispatch path.
 */

const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;

function random(count: number): number {
  if (poolOffset + count > POOL_SIZE) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += count;
  return at;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX_LOW: string[] = Array.from({ length: 16 }, (_, i) => i.toString(16));

function hex(at: number, count: number): string {
  let out = '';
  for (let i = at; i < at + count; i++) out += HEX[pool[i]!];
  return out;
}

let lastMs = -1;
let prefix = ''; // "tttttttt-tttt-7" for lastMs
let sequence = 0;

/** A new UUIDv7: time-ordered, with a 12-bit counter that keeps ids from one millisecond in order. */
export function uuidv7(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    const at = random(2);
    sequence = ((pool[at]! << 8) | pool[at + 1]!) & 0x7ff; // leave room to count up
    const ms = now.toString(16).padStart(12, '0');
    prefix = `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7`;
  } else if (++sequence > 0xfff) {
    lastMs++; // counter exhausted: borrow the next millisecond, as RFC 9562 allows
    sequence = 0;
    const ms = lastMs.toString(16).padStart(12, '0');
    prefix = `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7`;
  }
  const at = random(8);
  const p = pool;
  return (
    prefix +
    HEX_LOW[sequence >> 8] +
    HEX[sequence & 0xff] +
    '-' +
    HEX[(p[at]! & 0x3f) | 0x80] +
    HEX[p[at + 1]!] +
    '-' +
    HEX[p[at + 2]!] +
    HEX[p[at + 3]!] +
    HEX[p[at + 4]!] +
    HEX[p[at + 5]!] +
    HEX[p[at + 6]!] +
    HEX[p[at + 7]!]
  );
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
