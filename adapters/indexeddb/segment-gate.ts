/**
 * The sealed index's check, made lazily: opening the driver waits for neither the check, nor the
 * import of `whizbang/wasm`, nor the core (every first use waits for the import). The first stream read checks the index's head in its own transaction (one more request
 * beside the head's); any other first use (a log read, an append, a seal) waits for the same check
 * made on its own (two reads). A head that is missing or behind the segments (a lost or stale
 * `sealed` store) is rebuilt from the segments before anything uses it; damage to a stream's entry
 * is found by the read that uses it, and a segment's bytes are checked when they are read.
 */

import type { Connection } from './connection.ts';
import { indexLooksWrong, type SegmentReport, verifySegments } from './sealed-index.ts';
import type { SegmentCodec } from './segments.ts';

/** Whether the sealed index was checked on this connection, and its repair. */
export class IndexGate {
  readonly #connection: Connection;
  readonly #codec: SegmentCodec;
  #checking: Promise<void> | undefined;
  /** True once the head was found sound (or rebuilt) on this connection. */
  checked = false;

  constructor(connection: Connection, codec: SegmentCodec) {
    this.#connection = connection;
    this.#codec = codec;
  }

  /** Resolves once the index's head was checked (and rebuilt if it disagreed). */
  ready(): Promise<void> {
    if (this.checked) return Promise.resolve();
    this.#checking ??= this.#codec.loaded
      .then(() => indexLooksWrong(this.#connection))
      .then(async (wrong) => {
        if (wrong) await this.repair();
        this.checked = true;
      })
      .finally(() => {
        this.#checking = undefined;
      });
    return this.#checking;
  }

  /** Reads every segment and rebuilds the index when it disagrees (`verify`). */
  async repair(): Promise<SegmentReport> {
    await this.#codec.loaded;
    const report = await verifySegments(this.#connection, this.#codec);
    this.checked = true;
    return report;
  }
}
