/**
 * A ledger exported as a web `ReadableStream<Uint8Array>` (one segment per chunk, read from the
 * ledger a page at a time as the reader pulls): memory holds a segment or two, whatever the
 * ledger's size; web streams are the same in Node, Deno, Bun and browsers (`Writable.toWeb`
 * bridges Node's file streams). Reading one back: `verifySegmentStream`, `importLedger`.
 */
import type { Ledger } from '../contracts/ledger.ts';
import { type Declared, platform } from '../util/platform.ts';
import type { ByteStream } from './byte-source.ts';
import { exportSegments, type LedgerExportOptions } from './ledger-file.ts';

/** What the core needs of a `ReadableStream`, where the program declares none. */
export interface OwnReadableStream extends ByteStream {
  /** Tells the source no more is wanted. */
  cancel(reason?: unknown): Promise<void>;
}

/** A web `ReadableStream` of bytes (the host's, as the program declares it). */
export type ReadableStream = Declared<'ReadableStream', OwnReadableStream>;

/** What `new ReadableStream(source)` is given: a pull source. */
interface PullSource {
  pull(controller: { enqueue(chunk: Uint8Array): void; close(): void }): Promise<void>;
  cancel(): Promise<void>;
}

/**
 * The ledger as a segment file, streamed: a web `ReadableStream<Uint8Array>` of its segments,
 * oldest first, each read from the ledger when the reader pulls (so a slow file or socket slows
 * the export, and memory holds one segment ahead). Reads up to the head as it is at the first pull.
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
export function exportLedgerStream(
  ledger: Ledger,
  options: LedgerExportOptions = {},
): ReadableStream {
  const Stream = (platform as unknown as { ReadableStream: new (s: PullSource) => ReadableStream })
    .ReadableStream;
  let segments: AsyncGenerator<Uint8Array> | undefined;
  return new Stream({
    pull: async (controller) => {
      segments ??= exportSegments(ledger, options);
      const next = await segments.next();
      if (next.done === true) controller.close();
      else controller.enqueue(next.value);
    },
    cancel: async () => {
      await segments?.return(undefined);
    },
  });
}
