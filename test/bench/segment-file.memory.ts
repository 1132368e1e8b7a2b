/**
 * A manual run, not a timed test: the peak memory (max RSS, each step in a process of its own) of
 * the CLI's segment-file export, streamed import, streamed verify and stdin import against the
 * whole-buffer import it replaced (the file read whole and decoded, then appended), on SQLite files
 * of N events over 100 streams.
 *
 *   node --import tsx test/bench/segment-file.memory.ts 200000
 *
 * Prints one JSON line per step: { step, events, seconds, maxRssMiB, fileMiB }.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import {
  exportSegmentFile,
  importSegmentFile,
  verifySegments,
} from '../../cli/commands/segments.ts';
import { openTarget } from '../../cli/target.ts';
import { decodeSegments } from '../../js/wasm/codec.ts';
import { ContinuityCheck } from '../../js/wasm/ledger-check.ts';
import { writeRun } from '../../js/wasm/ledger-write.ts';
import { loadWasmCoreSync } from '../../js/wasm/mod.ts';

const [step, events, dir] = process.argv.slice(2);

async function run(): Promise<number> {
  const source = join(dir!, 'source.db');
  const file = join(dir!, 'log.seg');
  const fresh = join(dir!, `${step}.db`);
  switch (step) {
    case 'seed': {
      const driver = sqliteDriver({ path: source });
      const n = Number(events);
      for (let i = 0; i < n; i += 1000)
        driver.ledger.appendBatch(
          Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
            streamId: `account-${(i + j) % 100}`,
            events: [{ type: 'Deposited', data: { account: (i + j) % 100, amount: i + j } }],
          })),
        );
      driver.close();
      return n;
    }
    case 'export': {
      const target = await openTarget(source, { create: false });
      try {
        return await exportSegmentFile(target, {}, file, false);
      } finally {
        await target.close();
      }
    }
    case 'verify':
      return (await verifySegments(file)).events;
    case 'import':
    case 'import-stdin': {
      const target = await openTarget(fresh, { create: true });
      try {
        const input = step === 'import' ? file : '-';
        return await importSegmentFile(target, input, { append: false, progress: false });
      } finally {
        await target.close();
      }
    }
    case 'import-whole': {
      // what the import did before it streamed
      const target = await openTarget(fresh, { create: true });
      try {
        const records = decodeSegments(readFileSync(file), { core: loadWasmCoreSync().create() });
        const check = new ContinuityCheck(target.ledger, 0, true);
        for (const r of records) await check.next(r);
        if (check.refusal !== undefined) throw check.refusal;
        for (let at = 0; at < records.length; at += 1000)
          await writeRun(target.ledger, records.slice(at, at + 1000), true);
        return records.length;
      } finally {
        await target.close();
      }
    }
    default:
      throw new Error(`unknown step ${step}`);
  }
}

if (dir !== undefined) {
  const started = performance.now();
  const n = await run();
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `${JSON.stringify({ step, events: n, seconds: Math.round(seconds * 10) / 10, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
  );
} else {
  // the driver: each step in a process of its own, so each max RSS is that step's own
  const n = process.argv[2] ?? '200000';
  const work = mkdtempSync(join(tmpdir(), 'segimport-memory-'));
  const self = fileURLToPath(import.meta.url);
  try {
    const file = join(work, 'log.seg');
    for (const s of ['seed', 'export', 'verify', 'import', 'import-stdin', 'import-whole']) {
      // stdin: the file, read once (spooled to a temporary file as it is checked)
      const stdin = s === 'import-stdin' ? openSync(file, 'r') : 'ignore';
      const out = spawnSync(process.execPath, ['--import', 'tsx', self, s, n, work], {
        encoding: 'utf8',
        stdio: [stdin, 'pipe', 'inherit'],
      }).stdout;
      if (typeof stdin === 'number') closeSync(stdin);
      const line = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
      const bytes = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
      console.log(JSON.stringify({ ...line, fileMiB: Math.round(bytes / 2 ** 20) }));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
