/**
 * A ledger as a segment file: its events, oldest first, as segments of the binary format
 * (`core-wasm/FORMAT.md`) back to back — every record and segment header with its CRC32C. What
 * `exportLedger` writes, `verifySegmentFile` checks and `importLedger` (`ledger-import.ts`)
 * appends to another driver.
 * @module
 */
import type { Ledger, RecordedEvent } from '../contracts/ledger.ts';
import { invalidArgument, wholeOption } from '../util/errors.ts';
import { encodeSegment } from './codec.ts';
import type { CoreFactory } from './core.ts';
import { bulkCore } from './default-core.ts';
import { R_POSITION } from './format.ts';
import { type CheckedSegment, eachSegment } from './segment-walk.ts';

/** The media type of a segment file (the same bytes as the binary envelope codec's batches). */
export const SEGMENT_FILE_TYPE = 'application/vnd.whizbang.segments';

/** Options of {@link exportSegments} and {@link exportLedger}. */
export interface LedgerExportOptions {
  /** The core that seals the segments (default: the package's WebAssembly core; `jsCore` for the twin). */
  readonly core?: CoreFactory;
  /** Events per segment (default 1 000; one page of the ledger's `readAll`). */
  readonly segmentEvents?: number;
  /** First global position (default 1). */
  readonly from?: number;
  /** Last global position, inclusive (default: the head when the export starts). */
  readonly to?: number;
}

const wire = (e: RecordedEvent) => ({
  kind: 'event' as const,
  type: e.type,
  data: e.data,
  streamId: e.streamId,
  version: e.version,
  position: e.position,
  tenant: e.tenant,
  messageId: e.messageId,
  correlationId: e.correlationId,
  causationId: e.causationId,
  timestamp: e.timestamp,
  metadata: e.metadata,
});

/**
 * The ledger's events (every tenant), oldest first, one segment per page: what a file or a
 * transport streams. Reads up to the head as it is when the export starts.
 */
export async function* exportSegments(
  ledger: Ledger,
  options: LedgerExportOptions = {},
): AsyncGenerator<Uint8Array> {
  const size = wholeOption('segmentEvents', options.segmentEvents, 1000, 1);
  const core = (options.core ?? bulkCore()).create();
  const to = Math.min(await ledger.headPosition(), options.to ?? Number.MAX_SAFE_INTEGER);
  let from = wholeOption('from', options.from, 1, 1);
  while (from <= to) {
    const page = await ledger.readAll({ from, to, limit: size });
    if (page.length === 0) break;
    yield encodeSegment(page.map(wire), { core });
    from = page[page.length - 1]!.position + 1;
  }
}

/**
 * The ledger as one segment file (`app.ledger` of any driver): bytes that `importLedger` appends
 * to another driver, and `verifySegmentFile` checks.
 * @example
 * ```ts
 * import { memoryDriver, whizbang } from 'whizbang';
 * import { exportLedger, importLedger, loadWasmCoreSync } from 'whizbang/wasm';
 *
 * const core = loadWasmCoreSync();
 * const app = whizbang({ driver: memoryDriver() });
 * await app.ledger.append('account-1', [{ type: 'Opened', data: { owner: 'Ada' } }]);
 * const bytes = await exportLedger(app.ledger, { core });
 * const copy = whizbang({ driver: memoryDriver() });
 * await importLedger(bytes, copy.ledger, { core });
 * ```
 */
export async function exportLedger(
  ledger: Ledger,
  options: LedgerExportOptions = {},
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const segment of exportSegments(ledger, options)) parts.push(segment);
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** What {@link verifySegmentFile} found in a sound file. */
export interface SegmentFileSummary {
  /** Segments in the file. */
  readonly segments: number;
  /** Records (events) in them. */
  readonly events: number;
  /** Bytes of the file. */
  readonly bytes: number;
  /** Position of the first record (0 when the file holds none). */
  readonly firstPosition: number;
  /** Position of the last record (0 when the file holds none). */
  readonly lastPosition: number;
}

/** Options of {@link verifySegmentFile}. */
export interface VerifyOptions {
  /** The core that checks the bytes (default: the package's WebAssembly core; `jsCore` for the twin). */
  readonly core?: CoreFactory;
}

/** Counts what a walk of checked segments hands over, for a {@link SegmentFileSummary}. */
export function tally(): {
  visit: (segment: CheckedSegment) => void;
  summary: (bytes: number) => SegmentFileSummary;
} {
  let segments = 0;
  let events = 0;
  let firstPosition = 0;
  let lastPosition = 0;
  return {
    visit: ({ core, body, next, count }) => {
      const dv = core.views.dv;
      for (let p = body; p < next; p += dv.getUint32(p, true)) {
        const position =
          dv.getUint32(p + R_POSITION, true) + dv.getUint32(p + R_POSITION + 4, true) * 2 ** 32;
        if (firstPosition === 0) firstPosition = position;
        lastPosition = position;
      }
      segments++;
      events += count;
    },
    summary: (bytes) => ({ segments, events, bytes, firstPosition, lastPosition }),
  };
}

/**
 * Checks every segment of a file — header and record CRC32C, lengths, hashes, UTF-8 — without
 * decoding a payload, one segment at a time (a file of any size). Bad bytes throw `CorruptDataError` (`CORRUPT_DATA`) with the offset of the
 * bad field from the start of the file; an empty file is a truncated one. For a file that arrives
 * in chunks (a web stream), `verifySegmentStream`.
 */
export function verifySegmentFile(
  bytes: Uint8Array,
  options: VerifyOptions = {},
): SegmentFileSummary {
  const counted = tally();
  eachSegment(bytes, options.core ?? bulkCore(), counted.visit);
  return counted.summary(bytes.length);
}

/** The error of a file whose events are sound bytes but not a ledger's export. */
export function notAnExport(why: string): Error {
  return invalidArgument(
    `This segment file is not a ledger export: ${why}. Nothing was imported; export the ledger again with exportLedger() or \`whizbang export --format segments\`.`,
  );
}
