/**
 * SQLite reliability on real files and real processes (the workers in `sqlite-workers/`, run on
 * Node, Bun and Deno, each with its own SQLite, and mixed on one file): appends survive kill -9
 * whole or not at all, writers in two processes race without a gap or a duplicate, a subscriber
 * sees another process's events once each and in order, and bad files and payloads are refused
 * with an error that names them, leaving them as they were.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { caught, range, sleep } from '../../js/conformance/helpers.ts';
import type { RecordedEvent } from '../../js/contracts/ledger.ts';
import { subscribe } from '../../js/runtime/subscription.ts';
import { isWhizbangError } from '../../js/util/errors.ts';
import {
  type Engine,
  killWorkers,
  missingEngine,
  poll,
  startWorker,
  type Worker,
} from './sqlite-workers/harness.ts';
import { type Ack, inspect, parseAck, STREAMS } from './sqlite-workers/inspect.ts';

const dir = mkdtempSync(join(tmpdir(), 'whizbang-sqlite-reliability-'));
let files = 0;
const file = (name: string): string => join(dir, `${++files}-${name}.db`);
afterEach(killWorkers);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small seeded generator, so a failing run can be told apart by its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const errorLines = (w: Worker): string[] => w.lines.filter((l) => l.startsWith('error'));

interface Contended {
  name: string;
  won: number[];
  losses: number;
  codes: string[];
  names: string[];
  misreported: number;
}

/**
 * Kills an append worker `runs` times, run `r` on `engines[(r - 1) % engines.length]`, and after
 * each kill reopens the file here (better-sqlite3) and checks it.
 */
async function crashLoop(engines: readonly Engine[], runs: number): Promise<void> {
  const path = file(`crash-${engines.join('-')}`);
  const seed = Date.now();
  const random = seeded(seed);
  const acks: Ack[] = [];
  let versions = STREAMS.map((s) => `start ${s} 0`);
  for (let run = 1; run <= runs; run++) {
    const engine = engines[(run - 1) % engines.length]!;
    // kill on `ready` now and then, else after 1–200 acks (and whatever it does meanwhile)
    const target = run % 7 === 1 ? 0 : 1 + Math.floor(random() * 200);
    const w = startWorker('append', [path, String(run)], { engine, dir });
    await w.ready();
    const at = `seed ${seed}, run ${run} on ${engine}, kill after ${target} acks`;
    // the writer opened the file and found each stream where the last run left it
    expect(w.lines.slice(0, STREAMS.length), at).toEqual(versions);
    await w.until(() => w.lines.length - STREAMS.length - 1 >= target, `${target} acks`);
    w.kill();
    const exit = await w.exit;
    expect(exit.signal, `${at}: ${w.describe()}`).toBe('SIGKILL');
    expect(errorLines(w), at).toEqual([]);
    const mine = w.lines.filter((l) => l.startsWith('ack ')).map(parseAck);
    // each run's acks carry on from the version it started at, without a gap
    for (const s of STREAMS) {
      let version = Number(versions.find((l) => l.startsWith(`start ${s} `))!.split(' ')[2]);
      for (const ack of mine.filter((a) => a.stream === s)) {
        version += ack.count;
        expect(ack.version, `${at}: ack ${JSON.stringify(ack)}`).toBe(version);
      }
    }
    acks.push(...mine);
    const found = inspect(path, acks);
    expect(found.problems, at).toEqual([]);
    versions = found.versions;
  }
  expect(acks.length).toBeGreaterThan(runs * 8);
  // and the inspection would see a torn append: take the last part of one away
  const db = new Database(path);
  db.prepare(
    "DELETE FROM whizbang_events WHERE position = (SELECT max(position) FROM whizbang_events WHERE json_extract(data, '$.of') > 1)",
  ).run();
  db.close();
  expect(inspect(path, acks).problems.join('\n')).toMatch(/is partial/);
}

/** One contend worker per engine races on one stream until each has won `goal` appends. */
async function race(engines: readonly Engine[], goal: number): Promise<void> {
  const path = file(`race-${engines.join('-')}`);
  sqliteDriver({ path }).close();
  const workers = engines.map((engine, i) =>
    startWorker('contend', [path, 'race', `${engine}-${i}`, String(goal)], { engine, dir }),
  );
  await Promise.all(workers.map((w) => w.ready()));
  for (const w of workers) w.send('go');
  const results = await Promise.all(
    workers.map(async (w) => {
      const done = await w.line('done ', 45_000);
      expect((await w.exit).code, w.describe()).toBe(0);
      return JSON.parse(done.slice(5)) as Contended;
    }),
  );
  const total = engines.length * goal;
  const driver = sqliteDriver({ path });
  try {
    const events = driver.ledger.readStream('race');
    expect(events.map((e) => e.version)).toEqual(range(1, total));
    expect(driver.ledger.streamVersion('race')).toBe(total);
    expect(driver.ledger.readAll().map((e) => e.position)).toEqual(range(1, total));
    expect(results.reduce((sum, r) => sum + r.won.length, 0)).toBe(events.length);
    for (const r of results) {
      // what each worker was told it won is exactly what the stream holds as its
      const stored = events
        .filter((e) => (e.data as { worker: string }).worker === r.name)
        .map((e) => e.version);
      expect(r.won, r.name).toEqual(stored);
      if (r.losses > 0) {
        expect(r.codes, r.name).toEqual(['CONCURRENCY_CONFLICT']);
        expect(r.names, r.name).toEqual(['ConcurrencyError']);
      }
      expect(r.misreported, `${r.name}: conflicts with a wrong expected/actual`).toBe(0);
    }
    // without conflicts this would prove nothing
    expect(results.reduce((sum, r) => sum + r.losses, 0)).toBeGreaterThan(0);
  } finally {
    driver.close();
  }
}

/** A subscriber here, on Node, while writer processes on `engines` append 150 events each. */
async function watchHere(engines: readonly Engine[]): Promise<void> {
  const path = file(`watch-here-${engines.join('-')}`);
  const early = startWorker('write', [path, 'early', '40', '0'], { engine: engines[0]!, dir });
  await early.ready();
  early.send('go');
  await early.line('done');
  const driver = sqliteDriver({ path });
  const got: RecordedEvent[] = [];
  const sub = subscribe(driver.ledger, (e) => void got.push(e), { from: 1, batchSize: 16 });
  try {
    await poll(() => got.length === 40, 'catch-up');
    const names = engines.map((engine, i) => `${engine}-${i}`);
    const writers = engines.map((engine, i) =>
      startWorker('write', [path, names[i]!, '150', '5'], { engine, dir }),
    );
    await Promise.all(writers.map((w) => w.ready()));
    for (const w of writers) w.send('go');
    // nothing here touches the ledger now: only `watch` (data_version polling) can deliver
    await Promise.all(writers.map((w) => w.line('done', 30_000)));
    const whileWriting = got.length - 40;
    for (const w of writers) expect((await w.exit).code, w.describe()).toBe(0);
    const total = 40 + 150 * engines.length;
    await poll(() => got.length >= total, 'live delivery', 15_000);
    await sleep(200); // a repeat would show up here
    expect(got.map((e) => e.position)).toEqual(range(1, total));
    expect(got).toEqual(driver.ledger.readAll());
    for (const name of names) {
      const mine = got.filter((e) => (e.data as { writer: string }).writer === name);
      expect(mine.map((e) => (e.data as { n: number }).n)).toEqual(range(0, 149));
    }
    expect(whileWriting, 'events delivered while the writers were still writing').toBeGreaterThan(
      0,
    );
  } finally {
    await sub.stop();
    driver.close();
  }
}

/** A subscriber process on `engine` while this process, on Node, appends. */
async function watchThere(engine: Engine): Promise<void> {
  const path = file(`watch-there-${engine}`);
  const driver = sqliteDriver({ path });
  try {
    await driver.ledger.append('before', [
      { type: 'Early', data: 1 },
      { type: 'Early', data: 2 },
    ]);
    const total = 2 + 120;
    const sub = startWorker('subscribe', [path, String(total)], { engine, dir });
    await sub.ready();
    for (let i = 0; i < 60; i++) {
      await driver.ledger.append(`s-${i % 3}`, [
        { type: 'Live', data: { i, k: 0 } },
        { type: 'Live', data: { i, k: 1 } },
      ]);
      await sleep(i % 4 === 0 ? 30 : 1);
    }
    await sub.line('done', 30_000);
    expect((await sub.exit).code, sub.describe()).toBe(0);
    const all = driver.ledger.readAll();
    expect(all.length).toBe(total);
    expect(sub.lines.filter((l) => l.startsWith('event '))).toEqual(
      all.map((e) => `event ${e.position} ${e.streamId} ${e.version} ${e.messageId}`),
    );
  } finally {
    driver.close();
  }
}

/** Processes on `engines` open a new file at once: each succeeds, and it is migrated once. */
async function firstOpen(engines: readonly Engine[]): Promise<void> {
  const path = file(`first-open-${engines.join('-')}`);
  const workers = engines.map((engine, i) => startWorker('open', [path, `o${i}`], { engine, dir }));
  await Promise.all(workers.map((w) => w.ready()));
  for (const w of workers) w.send('go');
  for (const w of workers) {
    await w.line('opened', 30_000);
    expect((await w.exit).code, w.describe()).toBe(0);
  }
  const driver = sqliteDriver({ path });
  try {
    const schema = driver.database.prepare('SELECT version FROM whizbang_schema').all();
    expect(schema).toEqual(range(1, SCHEMA_VERSION).map((version) => ({ version })));
    expect(driver.ledger.readStream('opened').map((e) => e.version)).toEqual(
      range(1, engines.length),
    );
  } finally {
    driver.close();
  }
}

/**
 * Without a runtime's binary its tests fail where `CI` is set and are skipped elsewhere, with the
 * reason in the suite's name (the binaries come with `npm ci`, from the bun and deno packages).
 */
function acrossProcesses(title: string, engines: readonly Engine[], body: () => void): void {
  const missing = engines.map(missingEngine).filter((m) => m !== undefined);
  const skip = missing.length > 0 && !process.env.CI;
  describe.skipIf(skip)(skip ? `${title}: SKIPPED, ${missing.join('; ')}` : title, () => {
    beforeAll(() => {
      if (missing.length > 0) throw new Error(missing.join('; '));
    });
    body();
  });
}

/**
 * kill -9 rounds per runtime. Node pays ~0.45 s of tsx start-up a round, Bun and Deno ~0.1 s.
 */
const KILLS: Record<Engine, number> = { node: 22, bun: 22, deno: 22 };

for (const engine of ['node', 'bun', 'deno'] as const) {
  acrossProcesses(`sqlite across processes on ${engine}`, [engine], () => {
    it(`keeps every acknowledged append and its inline writes, and no partial one, across ${KILLS[engine]} kill -9`, async () => {
      await crashLoop([engine], KILLS[engine]);
    }, 120_000);

    it('two processes racing on one stream: no gap, no duplicate, every loss a ConcurrencyError', async () => {
      await race([engine, engine], 150);
    }, 60_000);

    it('a subscriber here sees every event written by other processes, once each, in order', async () => {
      await watchHere([engine, engine]);
    }, 60_000);

    it('a subscriber in another process sees every event written here, once each, in order', async () => {
      await watchThere(engine);
    }, 60_000);

    it('four processes opening a new file at once all succeed, and it is migrated once', async () => {
      await firstOpen([engine, engine, engine, engine]);
    }, 60_000);
  });
}

// One file, several runtimes: what one writes (or leaves after a kill) the others open and go on.
acrossProcesses('sqlite across processes on Node, Bun and Deno together', ['bun', 'deno'], () => {
  it('a writer killed -9 in turn on Node, Bun and Deno: every acknowledged append kept, none partial', async () => {
    await crashLoop(['node', 'bun', 'deno'], 9);
  }, 120_000);

  it('a Bun, a Deno and a Node process racing on one stream: no gap, no duplicate', async () => {
    await race(['bun', 'deno', 'node'], 100);
  }, 60_000);

  it('a subscriber here sees every event a Bun and a Deno writer append, once each, in order', async () => {
    await watchHere(['bun', 'deno']);
  }, 60_000);

  it('Node, Bun and Deno processes opening a new file at once all succeed; it is migrated once', async () => {
    await firstOpen(['node', 'bun', 'deno', 'bun', 'deno']);
  }, 60_000);
});

describe('sqlite bad input', () => {
  const message = (error: unknown): string => (error instanceof Error ? error.message : '');

  it('refuses an event over maxPayloadBytes and writes nothing of its append', async () => {
    const path = file('payload');
    const driver = sqliteDriver({ path, maxPayloadBytes: 100 });
    try {
      await driver.ledger.append('s', [{ type: 'AtLimit', data: 'x'.repeat(98) }]); // 100 bytes
      const refused = [
        [
          { type: 'Fine', data: 1 },
          { type: 'Big', data: 'x'.repeat(99) },
        ],
        [{ type: 'Big', data: 1, metadata: { note: 'x'.repeat(100) } }],
      ];
      for (const events of refused) {
        const error = await caught(() => driver.ledger.append('s', events));
        expect(isWhizbangError(error, 'INVALID_ARGUMENT'), String(error)).toBe(true);
        expect(message(error)).toMatch(/"Big".*over the 100-byte limit.*nothing was written/);
      }
      expect(driver.ledger.headPosition()).toBe(1);
      expect(driver.ledger.streamVersion('s')).toBe(1);
    } finally {
      driver.close();
    }
    const reopened = sqliteDriver({ path });
    expect(reopened.ledger.readAll().map((e) => e.type)).toEqual(['AtLimit']);
    reopened.close();
  });

  it('counts maxPayloadBytes in bytes of UTF-8, as stored, not in UTF-16 characters', async () => {
    const driver = sqliteDriver({ path: file('payload-utf8'), maxPayloadBytes: 100 });
    try {
      // 60 × "é" is 62 characters of JSON but 122 bytes of UTF-8
      const error = await caught(() =>
        driver.ledger.append('s', [{ type: 'Accented', data: 'é'.repeat(60) }]),
      );
      expect(isWhizbangError(error, 'INVALID_ARGUMENT'), String(error)).toBe(true);
      expect(driver.ledger.headPosition()).toBe(0);
    } finally {
      driver.close();
    }
  });

  it('names a file of random bytes, and leaves it as it was', async () => {
    const path = file('random');
    const bytes = randomBytes(8192);
    bytes.write('not SQLite', 0); // never the SQLite header by chance
    writeFileSync(path, bytes);
    const error = await caught(() => sqliteDriver({ path }));
    expect(message(error)).toContain(path);
    expect(isWhizbangError(error, 'INVALID_ARGUMENT'), String(error)).toBe(true);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('names a Whizbang file whose pages after the header are garbage', async () => {
    const path = file('garbled');
    const driver = sqliteDriver({ path });
    for (let i = 0; i < 100; i++)
      driver.ledger.append('s', [{ type: 'T', data: { i, pad: 'x'.repeat(300) } }]);
    driver.close();
    const bytes = readFileSync(path);
    randomBytes(bytes.length - 4096).copy(bytes, 4096);
    writeFileSync(path, bytes);
    const error = await caught(() => sqliteDriver({ path }));
    expect(message(error)).toContain(path);
    expect(isWhizbangError(error, 'INVALID_ARGUMENT'), String(error)).toBe(true);
  });

  it("names another application's SQLite file, and changes nothing in it", async () => {
    const path = file('foreign');
    const db = new Database(path);
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
    db.prepare('INSERT INTO customers (name) VALUES (?)').run('Ann');
    db.close();
    const before = readFileSync(path);
    const error = await caught(() => sqliteDriver({ path }));
    expect(message(error)).toContain(path);
    expect(message(error)).toContain('customers');
    expect(isWhizbangError(error, 'INVALID_ARGUMENT'), String(error)).toBe(true);
    // the message says "nothing was changed": no table of ours, and its journal mode as it was
    const after = new Database(path);
    const tables = after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    const mode = after.pragma('journal_mode', { simple: true });
    after.close();
    expect({ tables, mode }).toEqual({ tables: [{ name: 'customers' }], mode: 'delete' });
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a file of a newer schema and leaves it as it was', async () => {
    const path = file('newer');
    const driver = sqliteDriver({ path });
    driver.ledger.append('s', [{ type: 'T', data: 1 }]);
    driver.close();
    const db = new Database(path);
    db.prepare('INSERT INTO whizbang_schema (version) VALUES (?)').run(SCHEMA_VERSION + 1);
    db.close();
    const before = readFileSync(path);
    const error = await caught(() => sqliteDriver({ path }));
    expect(isWhizbangError(error, 'INVALID_ARGUMENT'), String(error)).toBe(true);
    expect(message(error)).toContain(path);
    expect(message(error)).toContain(`schema ${SCHEMA_VERSION + 1}`);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('upgrades a file at schema 0 in place, once', async () => {
    const path = file('older');
    const db = new Database(path);
    db.exec('CREATE TABLE whizbang_schema (version INTEGER NOT NULL)');
    db.close();
    const versions = range(1, SCHEMA_VERSION).map((version) => ({ version }));
    const first = sqliteDriver({ path });
    expect(first.database.prepare('SELECT version FROM whizbang_schema').all()).toEqual(versions);
    await first.ledger.append('s', [{ type: 'T', data: 1 }]);
    first.close();
    const again = sqliteDriver({ path });
    expect(again.database.prepare('SELECT version FROM whizbang_schema').all()).toEqual(versions);
    expect(again.ledger.readStream('s').map((e) => e.data)).toEqual([1]);
    again.close();
  });

  it('opens an empty file as a new database', async () => {
    const path = file('empty');
    writeFileSync(path, '');
    const driver = sqliteDriver({ path });
    await driver.ledger.append('s', [{ type: 'T', data: 1 }]);
    expect(driver.ledger.headPosition()).toBe(1);
    driver.close();
  });
});
