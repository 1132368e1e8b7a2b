/** Bytes in the binary format that are not what a reader expects, for the decoders' tests. */
import type { WireRecord } from '../../js/wasm/codec.ts';
import * as twin from '../../js/wasm/twin.ts';

/** An event record as a ledger keeps it: no envelope metadata (hops, traceparent). */
export function ledgerRecord(n: number): WireRecord {
  return {
    kind: 'event',
    type: 'Deposited',
    data: { amount: n },
    streamId: `account-${n}`,
    version: n,
    position: n,
    tenant: 'default',
    messageId: `m-${n}`,
    correlationId: `m-${n}`,
    causationId: `m-${n}`,
    timestamp: 1_700_000_000_000 + n,
    metadata: undefined,
  };
}

/** A copy of a segment that says it is of format version `version`, its header checksum resealed. */
export function withVersion(segment: Uint8Array, version: number): Uint8Array {
  const copy = segment.slice();
  copy[4] = version;
  const m = twin.viewsOf(copy);
  m.dv.setUint32(16, twin.crc32c(m, 0, 16), true);
  return copy;
}

/** xorshift32: the same inputs on every runtime for a seed. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/**
 * A mutation of one of `seeds`, chosen by `next`: random bytes, a truncation, flipped bits or an
 * extreme 32-bit value (the kinds every decoder's fuzz shares); the other picks (3–6) are the
 * caller's `special`, which changes `b` in place or returns the bytes to use instead.
 */
export function mutateSegment(
  seeds: readonly Uint8Array[],
  next: () => number,
  special: (b: Uint8Array, dv: DataView, pick: number) => Uint8Array | undefined,
): Uint8Array {
  const pick = next() % 8;
  if (pick === 7) return Uint8Array.from({ length: next() % 300 }, () => next() & 0xff);
  const b = seeds[next() % seeds.length]!.slice();
  const dv = new DataView(b.buffer);
  const at = () => next() % b.length;
  switch (pick) {
    case 0:
      return b.subarray(0, next() % b.length);
    case 1:
      for (let k = 1 + (next() % 4); k > 0; k--) {
        const i = at();
        b[i] = b[i]! ^ (1 << (next() % 8));
      }
      return b;
    case 2: {
      const i = Math.min(at(), b.length - 4);
      const values = [0xffffffff, 0x7fffffff, 0, 67, 68, dv.getUint32(i, true) + 1, next()];
      dv.setUint32(i, values[next() % values.length]!, true);
      return b;
    }
    default:
      return special(b, dv, pick) ?? b;
  }
}
