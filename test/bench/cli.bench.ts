/**
 * The `whizbang` command's export and import (its own code, in this process: no start-up counted)
 * against a plain loop on the same driver — `readAll` pages written as JSON lines, and JSON lines
 * parsed and appended one stream run at a time — on a SQLite file and on the local PostgreSQL
 * (`DATABASE_URL`, schemas of their own, dropped after). The log interleaves 100 streams, so each
 * event is a run of its own: the append loop's worst case. The import appends 1 000 events per
 * transaction with the driver's `appendBatch` (SQLite, PostgreSQL).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { exportEvents } from '../../cli/commands/export.ts';
import { importEvents } from '../../cli/commands/import.ts';
import { fromLine, toLine } from '../../cli/records.ts';
import { openTarget, type Target } from '../../cli/target.ts';
import type { Ledger } from '../../js/mod.ts';
import type { BenchEntry, BenchSpec, Side } from './harness.ts';

const URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// made when a benchmark of this file runs (each runs in a process of its own)
let scratch: string | undefined;
const folder = (): string => (scratch ??= mkdtempSync(join(tmpdir(), 'cli-bench-')));
let made = 0;
const schemas: string[] = [];

/** A SQLite file of `events` events over 100 streams, and its export. */
async function source(events: number): Promise<{ db: string; file: string }> {
  const db = join(folder(), `source-${events}.db`);
  const driver = sqliteDriver({ path: db });
  for (let i = 0; i < events; i += 500) {
    driver.ledger.appendBatch(
      Array.from({ length: Math.min(500, events - i) }, (_, j) => ({
        streamId: `account-${(i + j) % 100}`,
        events: [{ type: 'Deposited', data: { account: (i + j) % 100, amount: i + j } }],
      })),
    );
  }
  driver.close();
  const file = join(folder(), `source-${events}.jsonl`);
  const target = await openTarget(db, { create: false });
  await exportEvents(target, {}, file, false);
  await target.close();
  return { db, file };
}

/** A new empty target: a SQLite file, or a PostgreSQL schema. */
function fresh(kind: 'sqlite' | 'postgres'): string {
  made++;
  if (kind === 'sqlite') return join(folder(), `target-${made}.db`);
  const schema = `cli_bench_${process.pid}_${made}`;
  schemas.push(schema);
  return `${URL}?schema=${schema}`;
}

async function dropSchemas(): Promise<void> {
  const pool = new pg.Pool({ connectionString: URL, max: 1 });
  for (const s of schemas.splice(0)) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await pool.end();
}

/** The plain loop's export: readAll pages, one JSON line each. */
async function loopExport(ledger: Ledger, file: string): Promise<number> {
  const lines: string[] = [];
  const head = await ledger.headPosition();
  for (let from = 1; from <= head; ) {
    const page = await ledger.readAll({ from, to: head, limit: 1000 });
    for (const e of page) lines.push(toLine(e));
    from = page[page.length - 1]!.position + 1;
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return lines.length;
}

/** The plain loop's import: each line parsed and appended on its own (a run of one stream). */
async function loopImport(ledger: Ledger, file: string): Promise<number> {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  for (let i = 0; i < lines.length; i++) {
    const e = fromLine(lines[i]!, i + 1);
    await ledger.append(e.streamId, [e.event], {
      tenant: e.tenant,
      expectedVersion: e.version - 1,
    });
  }
  return lines.length;
}

/** A side that opens a fresh target before each round (untimed) and closes it after. */
function onFresh(
  name: string,
  kind: 'sqlite' | 'postgres',
  work: (target: Target) => Promise<number>,
): Side {
  let target: Target | undefined;
  return {
    name,
    setup: async () => {
      target = await openTarget(fresh(kind), { create: true });
    },
    run: () => work(target!),
    teardown: async () => {
      await target?.close();
      if (kind === 'postgres') await dropSchemas();
    },
  };
}

function importBench(kind: 'sqlite' | 'postgres', events: number, rounds: number): BenchEntry {
  const name = `cli.import.${kind}`;
  return {
    name,
    make: async (): Promise<BenchSpec> => {
      const { file } = await source(events);
      return {
        name,
        unit: 'events/s',
        ops: events,
        rounds,
        goal: 0.8,
        subject: onFresh('whizbang import', kind, (t) =>
          importEvents(t, file, { append: false, progress: false }),
        ),
        baseline: onFresh('parse + ledger.append loop', kind, (t) => loopImport(t.ledger, file)),
        finish: () => rmSync(folder(), { recursive: true, force: true }),
      };
    },
  };
}

function exportBench(kind: 'sqlite' | 'postgres', events: number): BenchEntry {
  const name = `cli.export.${kind}`;
  return {
    name,
    make: async (): Promise<BenchSpec> => {
      const { file } = await source(events);
      const target = await openTarget(fresh(kind), { create: true });
      await importEvents(target, file, { append: false, progress: false });
      const out = join(folder(), 'out.jsonl');
      return {
        name,
        unit: 'events/s',
        ops: events,
        goal: 0.8,
        subject: { name: 'whizbang export', run: () => exportEvents(target, {}, out, false) },
        baseline: {
          name: 'ledger.readAll loop + JSON lines',
          run: () => loopExport(target.ledger, out),
        },
        finish: async () => {
          await target.close();
          if (kind === 'postgres') await dropSchemas();
          rmSync(folder(), { recursive: true, force: true });
        },
      };
    },
  };
}

export const benches: BenchEntry[] = [
  exportBench('sqlite', 20_000),
  importBench('sqlite', 20_000, 5),
  exportBench('postgres', 20_000),
  importBench('postgres', 2_000, 3),
];
