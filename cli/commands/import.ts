/**
 * `whizbang import`: JSON lines into a log, checked whole before anything is written. By default
 * the copy is exact: the file's positions must go on from the log's head without a gap, and each
 * stream's versions from the stream's version in the log; `--append` lets the log give positions
 * anew (versions are still checked). A file that fails the check is refused and nothing is written.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AppendResult, Ledger, NewEvent } from '../../js/mod.ts';
import type { Target } from '../backend.ts';
import { CliError } from '../fail.ts';
import { startProgress } from '../progress.ts';
import { fromLine, type LineEvent } from '../records.ts';

/** One append of a batch (the ledger's `appendBatch` takes a list of them). */
type BatchAppend = Parameters<NonNullable<Ledger['appendBatch']>>[0][number];

/** Options of an import. */
export interface ImportOptions {
  /** Positions are given by the log (only versions are checked). */
  readonly append: boolean;
  /** Show progress on stderr. */
  readonly progress: boolean;
}

/** Events appended per transaction (where the ledger can batch) or per append. */
const BATCH = 1000;

/** The file's events, line by line (empty lines skipped). */
async function* linesOf(path: string): AsyncGenerator<LineEvent> {
  const lines = createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim().length > 0) yield Object.assign(fromLine(line, n), { line: n });
  }
}

const keyOf = (e: LineEvent): string => `${e.tenant}\u0000${e.streamId}`;

/** Reads the whole file and checks it against the log; returns how many events it holds. */
async function check(ledger: Ledger, path: string, append: boolean): Promise<number> {
  const head = await ledger.headPosition();
  const versions = new Map<string, number>();
  let expected = head + 1;
  let count = 0;
  for await (const e of linesOf(path)) {
    const line = (e as LineEvent & { line: number }).line;
    if (!append && e.position !== expected) {
      throw new CliError(
        'POSITION_GAP',
        `Line ${line} is at position ${e.position}, but the log would put it at ${expected} (the log's head is ${head}); nothing was imported. Use --append to let the log give positions.`,
        { position: e.position, line },
      );
    }
    const key = keyOf(e);
    let version = versions.get(key);
    if (version === undefined) {
      version = head === 0 ? 0 : await ledger.streamVersion(e.streamId, { tenant: e.tenant });
    }
    if (e.version !== version + 1) {
      throw new CliError(
        'VERSION_GAP',
        `Line ${line} is version ${e.version} of stream "${e.streamId}" (tenant "${e.tenant}"), which is at version ${version}; nothing was imported.`,
        { position: e.position, line },
      );
    }
    versions.set(key, e.version);
    expected++;
    count++;
  }
  return count;
}

/** Appends a run of the file's events: one transaction where the ledger batches. */
async function write(ledger: Ledger, run: LineEvent[], exact: boolean): Promise<void> {
  const appends: BatchAppend[] = [];
  let events: NewEvent[] = [];
  run.forEach((e, i) => {
    const prev = run[i - 1];
    if (prev !== undefined && keyOf(prev) === keyOf(e)) {
      events.push(e.event);
    } else {
      events = [e.event];
      appends.push({
        streamId: e.streamId,
        events,
        options: { tenant: e.tenant, expectedVersion: e.version - 1 },
      });
    }
  });
  const results =
    ledger.appendBatch !== undefined
      ? await ledger.appendBatch(appends)
      : await appendEach(ledger, appends);
  if (!exact) return;
  const landed = results.flatMap((r) => r.events.map((e) => e.position));
  landed.forEach((position, i) => {
    if (position !== run[i]!.position) {
      throw new CliError(
        'POSITION_GAP',
        `Position ${run[i]!.position} landed at ${position}: another writer appended during the import. The log holds the file up to position ${run[i]!.position - 1}.`,
        { position: run[i]!.position },
      );
    }
  });
}

async function appendEach(
  ledger: Ledger,
  appends: readonly BatchAppend[],
): Promise<AppendResult[]> {
  const results: AppendResult[] = [];
  for (const a of appends) results.push(await ledger.append(a.streamId, a.events, a.options));
  return results;
}

/** Checks the file, then appends it; resolves with how many events were imported. */
export async function importEvents(
  target: Target,
  path: string,
  options: ImportOptions,
): Promise<number> {
  const total = await check(target.ledger, path, options.append);
  const progress = options.progress ? startProgress('import', total) : undefined;
  let run: LineEvent[] = [];
  try {
    for await (const e of linesOf(path)) {
      run.push(e);
      if (run.length < BATCH) continue;
      await write(target.ledger, run, !options.append);
      progress?.tick(run.length);
      run = [];
    }
    if (run.length > 0) {
      await write(target.ledger, run, !options.append);
      progress?.tick(run.length);
    }
  } finally {
    progress?.done();
  }
  return total;
}
