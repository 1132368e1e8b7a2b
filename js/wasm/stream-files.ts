/**
 * The streamed reads of segment files, loaded when first used (`segment-files.ts` imports this
 * module on demand): a browser app that opens the IndexedDB segment store loads `whizbang/wasm`
 * without them.
 */
import type { ByteSource } from './byte-source.ts';
import { bulkCore } from './default-core.ts';
import { type SegmentFileSummary, tally, type VerifyOptions } from './ledger-file.ts';
import { eachStreamedSegment } from './segment-stream.ts';

export { importLedger } from './ledger-import.ts';

/**
 * `verifySegmentFile` of bytes that arrive in chunks — a web `ReadableStream<Uint8Array>`, a Node
 * stream, any (async) iterable of chunks: every segment checked as it completes, in the memory of
 * one segment. The verdict and the offsets are those of the whole file, wherever the chunks split.
 */
export async function verifySegmentStream(
  source: ByteSource,
  options: VerifyOptions = {},
): Promise<SegmentFileSummary> {
  const counted = tally();
  const bytes = await eachStreamedSegment(source, options.core ?? bulkCore(), counted.visit);
  return counted.summary(bytes);
}
