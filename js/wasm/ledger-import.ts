/**
 * A segment file (`exportLedger`) into another driver's ledger, streamed: nothing is written until
 * the whole file has been checked — every byte by the core (CRC32C, lengths, hashes, UTF-8, JSON),
 * then every event against the ledger (positions going on from its head, each stream's versions
 * from its version there). A file that fails either check is refused and nothing is appended.
 *
 * Two passes, in the memory of one segment and one batch whatever the file's size: a source that
 * can be read twice (a buffer, or a function that opens the file again) is checked in the first
 * pass and appended in the second; a source that can be read only once (a web stream, an async
 * iterable) is checked into a {@link SegmentStage} (memory by default) and appended from there.
 * @module
 */
import type { Ledger } from '../contracts/ledger.ts';
import { wholeOption } from '../util/errors.ts';
import type { ByteSource } from './byte-source.ts';
import { readRecord, type WireRecord } from './codec.ts';
import type { CoreFactory } from './core.ts';
import { bulkCore } from './default-core.ts';
import { S_HEADER_CRC } from './format.ts';
import { ContinuityCheck } from './ledger-check.ts';
import { notAnExport } from './ledger-file.ts';
import { writeRun } from './ledger-write.ts';
import { memoryStage, type SegmentStage } from './segment-stage.ts';
import { eachStreamedSegment } from './segment-stream.ts';

/**
 * What `importLedger` reads: the file's bytes, chunks of them read once (a web
 * `ReadableStream<Uint8Array>`, a Node stream, an async generator), or a function that opens the
 * file anew each time it is called (read twice: checked, then appended).
 */
export type LedgerSource = ByteSource | (() => ByteSource | Promise<ByteSource>);

/** Options of {@link importLedger}. */
export interface LedgerImportOptions {
  /** The core that checks the bytes (default: the package's WebAssembly core; `jsCore` for the twin). */
  readonly core?: CoreFactory;
  /**
   * `'exact'` (default): the file's positions must go on from the ledger's head without a gap, and
   * land there. `'append'`: the ledger gives positions anew (versions are still checked).
   */
  readonly positions?: 'exact' | 'append';
  /** Events per transaction where the ledger has `appendBatch` (default 1 000). */
  readonly batch?: number;
  /**
   * Where a source read once is kept while it is checked (default {@link memoryStage}: the file's
   * bytes in memory). Not used for a buffer or a function, which are read twice.
   */
  readonly stage?: SegmentStage;
  /** Told how many events the file holds, once all of it is checked and before anything is written. */
  readonly onChecked?: (events: number) => void;
  /** Told how many events each batch appended, once it has (a progress bar's tick). */
  readonly onBatch?: (appended: number) => void;
}

/** What {@link importLedger} appended. */
export interface LedgerImportResult {
  /** Events appended. */
  readonly events: number;
  /** The ledger's head after the import. */
  readonly head: number;
}

/** The first pass: every byte and event checked; the header CRC32C of every segment kept. */
interface Checked {
  readonly events: number;
  readonly head: number;
  readonly headers: readonly number[];
}

async function checkPass(
  source: ByteSource,
  ledger: Ledger,
  exact: boolean,
  core: CoreFactory,
  stage: SegmentStage | undefined,
): Promise<Checked> {
  const check = new ContinuityCheck(ledger, await ledger.headPosition(), exact);
  const headers: number[] = [];
  await eachStreamedSegment(source, core, async ({ core, start, body, next, base }) => {
    const views = core.views;
    for (let p = body; p < next; p += views.dv.getUint32(p, true)) {
      const asked = check.next(readRecord(views, p, base));
      if (asked !== undefined) await asked;
    }
    headers.push(views.dv.getUint32(start + S_HEADER_CRC, true));
    await stage?.write(views.u8.subarray(start, next));
  });
  if (check.refusal !== undefined) throw check.refusal;
  return { events: check.records, head: check.head, headers };
}

/** The second pass: the same segments again, appended `batch` events per transaction. */
async function writePass(
  source: ByteSource,
  ledger: Ledger,
  checked: Checked,
  options: LedgerImportOptions,
): Promise<void> {
  const batch = wholeOption('batch', options.batch, 1000, 1);
  const exact = (options.positions ?? 'exact') === 'exact';
  const changed = (why: string) =>
    notAnExport(
      `the file changed between its check and its import (${why}); the ledger holds what was appended before`,
    );
  let run: WireRecord[] = [];
  const flush = async (): Promise<void> => {
    const done = run.splice(0, batch);
    await writeRun(ledger, done, exact);
    options.onBatch?.(done.length);
  };
  let segment = 0;
  await eachStreamedSegment(source, options.core ?? bulkCore(), async (s) => {
    const views = s.core.views;
    if (views.dv.getUint32(s.start + S_HEADER_CRC, true) !== checked.headers[segment++])
      throw changed(`segment ${segment} is not the one checked`);
    for (let p = s.body; p < s.next; p += views.dv.getUint32(p, true))
      run.push(readRecord(views, p, s.base));
    while (run.length >= batch) await flush();
  });
  if (segment !== checked.headers.length)
    throw changed(`${segment} segments, ${checked.headers.length} checked`);
  while (run.length > 0) await flush();
  run = [];
}

/**
 * Appends a segment file to `ledger` (any driver's), keeping every event's id, chain, time and
 * metadata. Checked whole first: bad bytes throw `CorruptDataError` (`CORRUPT_DATA`, with the
 * offset from the start of the file, whatever the chunks), a file that does not go on from the
 * ledger throws `INVALID_ARGUMENT`; either way nothing is appended. Where the ledger has
 * `appendBatch` each batch is one transaction; a failure in the middle (another writer) leaves
 * the batches before it.
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
  wholeOption('batch', options.batch, 1000, 1);
  const core = options.core ?? bulkCore();
  const exact = (options.positions ?? 'exact') === 'exact';
  let checked: Checked;
  if (typeof source === 'function' || source instanceof Uint8Array) {
    const twice = typeof source === 'function' ? source : () => source;
    checked = await checkPass(await twice(), ledger, exact, core, undefined);
    options.onChecked?.(checked.events);
    await writePass(await twice(), ledger, checked, { ...options, core });
  } else {
    const stage = options.stage ?? memoryStage();
    try {
      checked = await checkPass(source, ledger, exact, core, stage);
      options.onChecked?.(checked.events);
      await writePass(await stage.read(), ledger, checked, { ...options, core });
    } finally {
      await stage.drop();
    }
  }
  return { events: checked.events, head: await ledger.headPosition() };
}
