/** The memory ledger's log: what it holds, and its segments. */
import type { Core } from '../wasm/core.ts';

/** What the log holds, for the memory budget (see BENCHMARKS.md). */
export interface BinaryLogStats {
  /** How many events the log holds. */
  readonly events: number;
  /** Bytes of the encoded records. */
  readonly encodedBytes: number;
  /** Bytes of the core's memory (segments included). */
  readonly coreBytes: number;
}

/** A segment of the log: records in one core's memory. */
export interface Segment {
  core: Core;
  /** Address of the segment header; records start `SEGMENT_HEADER` bytes after it. */
  readonly start: number;
  readonly capacity: number;
  /** Address one past its last record. */
  end: number;
  count: number;
}
