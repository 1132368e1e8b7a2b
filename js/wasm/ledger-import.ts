/**
 * A segment file (`exportLedger`) into another driver's ledger. The whole file is checked before
 * anything is written: every byte by the core (CRC32C, lengths, hashes, UTF-8, JSON), then the
 * events against the ledger (positions going on from its head, each stream's versions from its
 * version there). A file that fails either check is refused and nothing is appended.
 * @module
 */
import type {
  AppendOptions,
  AppendResult,
  BatchAppend,
  Ledger,
  NewEvent,
} from '../contracts/ledger.ts';
import { wholeOption } from '../util/errors.ts';
import { readRecord, type WireRecord } from './codec.ts';
import type { CoreFactory } from './core.ts';
import { bulkCore } from './default-core.ts';
import { notAnExport } from './ledger-file.ts';
import { eachSegment } from './segment-walk.ts';

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

const keyOf = (r: WireRecord): string => `${r.tenant}\u0000${r.streamId}`;

/** Checks the decoded file against the ledger; throws before anything is written. */
async function check(
  records: readonly WireRecord[],
  ledger: Ledger,
  exact: boolean,
): Promise<void> {
  const head = await ledger.headPosition();
  const versions = new Map<string, number>();
  let previous = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.kind !== 'event' || r.streamId === undefined)
      throw notAnExport(`record ${i + 1} is a ${r.kind} outside any stream, not a stored event`);
    if (exact ? r.position !== head + i + 1 : r.position <= previous)
      throw notAnExport(
        exact
          ? `record ${i + 1} is at position ${r.position}, but the ledger (head ${head}) would put it at ${head + i + 1} (import with positions: 'append' to let the ledger give positions)`
          : `record ${i + 1} is at position ${r.position}, not after ${previous}`,
      );
    previous = r.position;
    const key = keyOf(r);
    let version = versions.get(key);
    if (version === undefined)
      version = head === 0 ? 0 : await ledger.streamVersion(r.streamId, { tenant: r.tenant });
    if (r.version !== version + 1)
      throw notAnExport(
        `record ${i + 1} is version ${r.version} of stream "${r.streamId}" (tenant "${r.tenant}"), which is at version ${version}`,
      );
    versions.set(key, r.version);
  }
}

/** The appends of a run of records: one per run of the same stream. */
function appendsOf(run: readonly WireRecord[]): BatchAppend[] {
  const appends: { streamId: string; events: NewEvent[]; options: AppendOptions }[] = [];
  for (let i = 0; i < run.length; i++) {
    const r = run[i]!;
    const event = {
      type: r.type,
      data: r.data,
      messageId: r.messageId,
      correlationId: r.correlationId,
      causationId: r.causationId,
      timestamp: r.timestamp,
      ...(r.metadata === undefined ? {} : { metadata: r.metadata }),
    };
    if (i > 0 && keyOf(run[i - 1]!) === keyOf(r)) appends[appends.length - 1]!.events.push(event);
    else
      appends.push({
        streamId: r.streamId!,
        events: [event],
        options: { tenant: r.tenant, expectedVersion: r.version - 1 },
      });
  }
  return appends;
}

async function write(ledger: Ledger, run: readonly WireRecord[], exact: boolean): Promise<void> {
  const appends = appendsOf(run);
  let results: AppendResult[];
  if (ledger.appendBatch !== undefined) results = await ledger.appendBatch(appends);
  else {
    results = [];
    for (const a of appends) results.push(await ledger.append(a.streamId, a.events, a.options));
  }
  if (!exact) return;
  let i = 0;
  for (const result of results)
    for (const e of result.events) {
      const wanted = run[i++]!.position;
      if (e.position !== wanted)
        throw notAnExport(
          `position ${wanted} landed at ${e.position}: another writer appended during the import (the ledger holds the file up to position ${wanted - 1})`,
        );
    }
}

/**
 * Appends a segment file to `ledger` (any driver's), keeping every event's id, chain, time and
 * metadata. Checked whole first: bad bytes throw `CorruptDataError` (`CORRUPT_DATA`, with the
 * offset from the start of the file), a file that does not go on from the ledger throws
 * `INVALID_ARGUMENT`; either way nothing is appended. Where the ledger has `appendBatch` each
 * batch is one transaction; a failure in the middle (another writer) leaves the batches before it.
 */
export async function importLedger(
  bytes: Uint8Array,
  ledger: Ledger,
  options: LedgerImportOptions = {},
): Promise<LedgerImportResult> {
  const batch = wholeOption('batch', options.batch, 1000, 1);
  const exact = (options.positions ?? 'exact') === 'exact';
  const records: WireRecord[] = [];
  eachSegment(bytes, options.core ?? bulkCore(), ({ core, body, next, base }) => {
    const views = core.views;
    for (let p = body; p < next; p += views.dv.getUint32(p, true))
      records.push(readRecord(views, p, base));
  });
  await check(records, ledger, exact);
  for (let at = 0; at < records.length; at += batch) {
    const run = records.slice(at, at + batch);
    await write(ledger, run, exact);
    options.onBatch?.(run.length);
  }
  return { events: records.length, head: await ledger.headPosition() };
}
