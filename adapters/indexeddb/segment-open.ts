/**
 * The segment store's door: the only module that imports the segment store's code (sealing,
 * sealed reads, routing, unsealing, the sealed index). The driver reaches it with one dynamic import,
 * taken when it is opened with `segments` or on a database that holds segments
 * (segment-load.ts), so a driver that needs none of it loads none of it. What the ledger and the
 * appends use of it is handed to them here, made once at open.
 */

import type { Limits } from '../../js/kit/mod.ts';
import { WhizbangError } from '../../js/mod.ts';
import type { Connection } from './connection.ts';
import type { EventReads, Learned } from './reads.ts';
import { Sealer } from './seal.ts';
import type { SegmentReport } from './sealed-index.ts';
import { IndexGate } from './segment-gate.ts';
import { segmentReads } from './segment-reads.ts';
import {
  entryKey,
  HEAD_KEY,
  loadWasmParts,
  type SealedHead,
  SegmentCodec,
  type SegmentOptions,
  type StreamEntry,
} from './segments.ts';
import type { Transaction } from './transaction.ts';
import { unsealAfter } from './unseal.ts';

/**
 * What an append reads of the sealed part's index (the log's sealed head, a stream's sealed
 * version), and unsealing for `replaceTail`: the appends get it from the open segment store.
 */
export interface SealedIndex {
  /** The key of the head record in the `sealed` store. */
  readonly headKey: IDBValidKey;
  /** The last sealed position a head record names (0 when there is none). */
  readonly through: (record: unknown) => number;
  /** The key of a stream's entry in the `sealed` store. */
  readonly entryKey: (tenant: string, streamId: string) => IDBValidKey;
  /** The stream's last sealed version an entry names (0 when there is none). */
  readonly version: (record: unknown) => number;
  /**
   * Makes the stream's events after version `cut` recent again in `t` (unseal.ts); then calls
   * `then` with the stream's version still sealed.
   */
  readonly unsealAfter: (
    t: Transaction,
    keys: typeof IDBKeyRange,
    tenant: string,
    streamId: string,
    cut: number,
    then: (stillSealed: number) => void,
  ) => void;
}

/** The open segment store: what the driver and the ledger use of it. */
export interface SegmentParts {
  /** Hears of commits, seals in the background, and seals on demand. */
  readonly sealer: Pick<Sealer, 'committed' | 'seal' | 'stop'>;
  /** The appends' view of the sealed index. */
  readonly sealed: SealedIndex;
  /** The ledger's reads over the sealed segments and the recent records. */
  readonly reads: (learned: Learned, limits: Limits) => EventReads;
  /** Checks every segment and the index, rebuilding the index when it differs. */
  readonly verify: () => Promise<SegmentReport>;
  /** The sealed index's check, made at first use: appends wait for it before they write. */
  readonly gate: Pick<IndexGate, 'checked' | 'ready'>;
}

/**
 * Starts loading `whizbang/wasm` and sealing (in the background unless `option.background` is
 * false). Neither that import, nor the index's check, nor the WebAssembly core is waited for: the
 * first use waits for the import and checks the index (segment-gate.ts); the core compiles in the
 * background, the twin reading streams meanwhile.
 */
export async function openSegments(
  connection: Connection,
  name: string,
  option: true | SegmentOptions,
): Promise<SegmentParts> {
  const o: SegmentOptions = option === true ? {} : option;
  if (o.size !== undefined && (!Number.isSafeInteger(o.size) || o.size < 1 || o.size > 65536))
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `"segments.size" must be a whole number of events from 1 to 65536, got ${o.size}.`,
    );
  const codec = new SegmentCodec(name, loadWasmParts(), o);
  const gate = new IndexGate(connection, codec);
  const sealer = new Sealer(connection, codec, gate);
  if (codec.background) sealer.kick();
  return {
    sealer,
    sealed: {
      headKey: HEAD_KEY,
      through: (record) => (record as SealedHead | undefined)?.through ?? 0,
      entryKey,
      version: (record) => (record as StreamEntry | undefined)?.version ?? 0,
      unsealAfter: (t, keys, tenant, streamId, cut, then) =>
        unsealAfter(t, keys, codec, tenant, streamId, cut, then),
    },
    reads: (learned, limits) => segmentReads(connection, learned, limits, codec, gate),
    verify: () => gate.repair(),
    gate,
  };
}
