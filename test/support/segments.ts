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
