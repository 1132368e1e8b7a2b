/**
 * `importLedger` and `verifySegmentStream` as `whizbang/wasm` exports them: each loads the streamed
 * reads (`stream-files.ts`) on its first call, so what opens a replica's segment store (which
 * imports `whizbang/wasm` whole) does not carry them.
 * @module
 */
import type { Ledger } from '../contracts/ledger.ts';
import type { ByteSource } from './byte-source.ts';
import type { SegmentFileSummary, VerifyOptions } from './ledger-file.ts';
import type { LedgerImportOptions, LedgerImportResult, LedgerSource } from './ledger-import.ts';

const load = () => import('./stream-files.ts');

/**
 * Appends a segment file to `ledger` (any driver's), keeping every event's id, chain, time and
 * metadata; nothing is appended unless the whole file is sound and goes on from the ledger. The
 * source is the file's bytes, chunks read once (a web `ReadableStream<Uint8Array>`, a Node stream,
 * an async iterable: checked into `options.stage`, then appended from it) or a function that opens
 * it anew (checked in a first pass, appended in a second). Bad bytes throw `CorruptDataError`
 * (`CORRUPT_DATA`, with the offset from the start of the file), a file that does not go on from the
 * ledger throws `INVALID_ARGUMENT`.
 * @example
 * ```ts
 * import { memoryDriver } from 'whizbang';
 * import { exportLedgerStream, importLedger } from 'whizbang/wasm';
 *
 * const from = memoryDriver();
 * await from.ledger.append('account-1', [{ type: 'Opened', data: { owner: 'Ada' } }]);
 * const to = memoryDriver();
 * // a function opens the source anew: checked in one pass, appended in a second
 * const { events } = await importLedger(() => exportLedgerStream(from.ledger), to.ledger);
 * ```
 */
export async function importLedger(
  source: LedgerSource,
  ledger: Ledger,
  options: LedgerImportOptions = {},
): Promise<LedgerImportResult> {
  return (await load()).importLedger(source, ledger, options);
}

/**
 * `verifySegmentFile` of bytes that arrive in chunks — a web `ReadableStream<Uint8Array>`, a Node
 * stream, any (async) iterable of chunks: every segment checked as it completes, in the memory of
 * one segment, with the verdict and offsets of the whole file wherever the chunks split.
 * @example
 * ```ts
 * import { memoryDriver } from 'whizbang';
 * import { exportLedgerStream, verifySegmentStream } from 'whizbang/wasm';
 *
 * const app = memoryDriver();
 * await app.ledger.append('account-1', [{ type: 'Opened', data: { owner: 'Ada' } }]);
 * const summary = await verifySegmentStream(exportLedgerStream(app.ledger));
 * console.log(summary.events); // 1
 * ```
 */
export async function verifySegmentStream(
  source: ByteSource,
  options: VerifyOptions = {},
): Promise<SegmentFileSummary> {
  return (await load()).verifySegmentStream(source, options);
}
