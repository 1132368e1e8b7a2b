/**
 * The log as a segment file (`--format segments`): its events as segments of the binary format
 * (core-wasm/FORMAT.md), each with its CRC32C, written by `export`, appended by `import` and
 * checked by `verify --input`. The WebAssembly core seals and checks them (on Node's measured
 * plan). Every one streams: the export writes a segment as it reads a page, the import and the
 * verify read the file in chunks, so memory stays that of a segment or two whatever the file's
 * size. The import checks the whole file before it writes anything: a file is read twice
 * (checked, then appended), stdin (`-i -`) once, spooled to a temporary file as it is checked.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import {
  type ByteSource,
  type CoreFactory,
  exportSegments,
  importLedger,
  loadWasmCoreSync,
  measuredPlan,
  type SegmentFileSummary,
  verifySegmentStream,
} from '../../js/wasm/mod.ts';
import type { Target } from '../backend.ts';
import { CliError } from '../fail.ts';
import { startProgress } from '../progress.ts';
import type { EventFilter } from '../read.ts';
import { fileStage } from './segment-stage.ts';

/** The WebAssembly core on Node's measured plan (the CLI runs on Node). */
const nodeCore = (): CoreFactory => loadWasmCoreSync(undefined, { plan: measuredPlan('node') });

/** The two file formats of `export` and `import`. */
export type FileFormat = 'jsonl' | 'segments';

/** The first bytes of a segment (its magic, little-endian "WBZS"). */
const MAGIC = [0x57, 0x42, 0x5a, 0x53];

/** `--format` as given, or (for `import`, when not given) what the file's first bytes say. */
export async function formatOf(given: string | undefined, path?: string): Promise<FileFormat> {
  if (given === 'jsonl' || given === 'segments') return given;
  if (given !== undefined)
    throw new CliError('USAGE', `--format must be jsonl or segments, not "${given}".`);
  if (path === undefined || path === '-') return 'jsonl';
  const file = await open(path);
  try {
    const head = new Uint8Array(4);
    await file.read(head, 0, 4, 0);
    return MAGIC.every((b, i) => head[i] === b) ? 'segments' : 'jsonl';
  } finally {
    await file.close();
  }
}

/** Writes the log (or the position range) as a segment file; resolves with how many events. */
export async function exportSegmentFile(
  target: Target,
  filter: EventFilter,
  output: string,
  showProgress: boolean,
): Promise<number> {
  const narrowed = Object.entries(filter).filter(
    ([k, v]) =>
      v !== undefined && k !== 'from' && k !== 'to' && !(Array.isArray(v) && v.length === 0),
  );
  if (narrowed.length > 0)
    throw new CliError(
      'USAGE',
      `--format segments exports the whole log or a position range (--from, --to), not --${narrowed[0]![0]}: a segment file is imported as a copy of the log. Use --format jsonl for a filtered export.`,
    );
  const head = await target.ledger.headPosition();
  const first = Math.max(1, filter.from ?? 1);
  const last = Math.min(head, filter.to ?? head);
  const progress = showProgress
    ? startProgress('export', Math.max(0, last - first + 1))
    : undefined;
  const sink: Writable = output === '-' ? process.stdout : createWriteStream(output);
  let written = 0;
  try {
    for await (const segment of exportSegments(target.ledger, {
      core: nodeCore(),
      from: first,
      to: last,
    })) {
      const count = new DataView(segment.buffer, segment.byteOffset).getUint32(8, true);
      written += count;
      progress?.tick(count);
      if (!sink.write(segment)) await once(sink, 'drain');
    }
  } finally {
    progress?.done();
    if (sink !== process.stdout) {
      sink.end();
      await once(sink, 'finish');
    }
  }
  return written;
}

/** Chunks of the file read from disk (1 MiB at a time), or of stdin for `-`. */
function bytesOf(path: string): ByteSource {
  return path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
}

/** Checks the whole segment file, then appends it; resolves with how many events. */
export async function importSegmentFile(
  target: Target,
  path: string,
  options: { readonly append: boolean; readonly progress: boolean },
): Promise<number> {
  // nothing is written before the whole file is checked: the bar counts what is appended
  let progress: ReturnType<typeof startProgress> | undefined;
  try {
    const result = await importLedger(
      path === '-' ? Readable.toWeb(process.stdin) : () => bytesOf(path),
      target.ledger,
      {
        core: nodeCore(),
        positions: options.append ? 'append' : 'exact',
        stage: fileStage(),
        onChecked: (events) => {
          if (options.progress) progress = startProgress('import', events);
        },
        onBatch: (n: number) => progress?.tick(n),
      },
    );
    return result.events;
  } finally {
    progress?.done();
  }
}

/** Checks every CRC32C (and length, hash, UTF-8) of a segment file; its summary when sound. */
export async function verifySegments(path: string): Promise<SegmentFileSummary> {
  return verifySegmentStream(bytesOf(path), { core: nodeCore() });
}
