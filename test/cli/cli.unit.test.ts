/**
 * The `whizbang` command on real SQLite files: each command's output, `--json`, exit codes and
 * stable error codes, refusals that write nothing, progress when piped, and `tail` following live.
 * (The progress bar in a real terminal: cli-terminal.unit.test.ts; PostgreSQL and JetStream:
 * cli.int.test.ts.)
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { type BuiltCli, buildCli, jsonLines, runCli, startCli } from '../support/cli.ts';
import { app, Deposit } from './fixtures/app.ts';

let cli: BuiltCli;
let dir: string;
let seeded: string;
const EVENTS = 60;

/** A SQLite file with the fixture app's events: 60 deposits over 6 accounts, two tenants. */
async function seed(path: string, count = EVENTS): Promise<void> {
  const driver = sqliteDriver({ path });
  const built = app.build({ driver });
  for (let i = 0; i < count; i++) {
    await built.send(Deposit({ id: `a${i % 6}`, amount: i + 1 }), {
      tenant: i % 3 === 0 ? 'acme' : 'default',
    });
  }
  await built.close();
  driver.close();
}

/** A fresh copy of the seeded file. */
function copy(name: string): string {
  const path = join(dir, name);
  copyFileSync(seeded, path);
  return path;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-unit-'));
  seeded = join(dir, 'seeded.db');
  [cli] = await Promise.all([buildCli(), seed(seeded)]);
}, 60_000);

afterAll(() => {
  cli?.remove();
  rmSync(dir, { recursive: true, force: true });
});

// each test spawns the command several times: generous on a loaded machine
describe('whizbang (the command line)', { timeout: 60_000 }, () => {
  it('lists its commands; a bad option is a usage error (exit 2)', async () => {
    const help = await runCli(cli, ['--help']);
    expect(help.code).toBe(0);
    for (const command of [
      'inspect',
      'events',
      'tail',
      'export',
      'import',
      'verify',
      'rebuild',
      'migrate',
    ]) {
      expect(help.stdout).toContain(command);
    }
    const bad = await runCli(cli, ['events', '--db', seeded, '--from', 'zero']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not a positive integer');
    const missing = await runCli(cli, ['events', '--db', join(dir, 'missing.db')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^whizbang: NOT_FOUND: /);
  });

  it('inspect: head, events by type, tenants, perspectives with checkpoint and lag, outbox', async () => {
    const path = copy('inspect.db');
    // a perspective left behind: its checkpoint 10 positions under the head
    const db = new Database(path);
    db.prepare("INSERT INTO whizbang_checkpoints VALUES ('stale', ?)").run(EVENTS - 10);
    db.close();
    const json = await runCli(cli, ['inspect', '--db', path, '--json']);
    expect(json.code).toBe(0);
    const found = JSON.parse(json.stdout);
    expect(found).toMatchObject({
      backend: 'sqlite',
      head: EVENTS,
      events: EVENTS,
      streams: 6, // a1, a2, a4, a5 of default, a0 and a3 of acme
      types: [{ type: 'Deposited', events: EVENTS }],
      tenants: [
        { tenant: 'acme', events: 20, streams: 2 },
        { tenant: 'default', events: 40, streams: 4 },
      ],
      outbox: { pending: 0, deadLetters: 0, inbox: 0 },
      pendingSyncCommits: 0,
    });
    expect(found.perspectives).toEqual([
      { perspective: 'balances', checkpoint: EVENTS, lag: 0 },
      { perspective: 'stale', checkpoint: EVENTS - 10, lag: 10 },
    ]);
    const text = await runCli(cli, ['inspect', '--db', path]);
    expect(text.stdout).toContain('events by type');
    expect(text.stdout).toMatch(/stale\s+50\s+lag 10/);
  });

  it('events: the log filtered by type, tenant, position and time; a stream; a table or JSON lines', async () => {
    const all = jsonLines((await runCli(cli, ['events', '--db', seeded, '--json'])).stdout);
    expect(all.map((e) => e.position)).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));
    const acme = jsonLines(
      (
        await runCli(cli, [
          'events',
          '--db',
          seeded,
          '--json',
          '--tenant',
          'acme',
          '--from',
          '10',
          '--to',
          '30',
        ])
      ).stdout,
    );
    expect(acme.map((e) => e.position)).toEqual([10, 13, 16, 19, 22, 25, 28]);
    expect(acme.every((e) => e.tenant === 'acme')).toBe(true);
    const none = await runCli(cli, ['events', '--db', seeded, '--json', '--type', 'Withdrawn']);
    expect(none.stdout).toBe('');
    const later = await runCli(cli, [
      'events',
      '--db',
      seeded,
      '--json',
      '--since',
      String(Date.now() + 60_000),
    ]);
    expect(later.stdout).toBe('');
    const stream = jsonLines(
      (await runCli(cli, ['events', '--db', seeded, '--json', '--stream', 'account-a1'])).stdout,
    );
    expect(stream.map((e) => e.version)).toEqual(stream.map((_, i) => i + 1));
    expect(stream.every((e) => e.streamId === 'account-a1' && e.tenant === 'default')).toBe(true);
    const table = await runCli(cli, ['events', '--db', seeded, '--limit', '2']);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^position\s+time\s+tenant\s+stream\s+ver\s+type\s+data$/);
    expect(lines[1]).toMatch(
      /^\s+1\s.*acme\s+account-a0\s+1\s+Deposited\s+\{"id":"a0","amount":1\}$/,
    );
  });

  it('tail follows: events appended by another process show up as they commit', async () => {
    const path = copy('tail.db');
    const child = startCli(cli, ['tail', '--db', path, '--json', '-n', '2']);
    let out = '';
    let waiting: (() => void) | undefined;
    child.stdout!.on('data', (chunk) => {
      out += String(chunk);
      waiting?.();
    });
    const seen = (n: number): Promise<void> =>
      new Promise((resolve) => {
        waiting = () => {
          if (jsonLines(out).length >= n) resolve();
        };
        waiting();
      });
    await seen(2);
    const driver = sqliteDriver({ path });
    driver.ledger.append('account-new', [{ type: 'Deposited', data: { id: 'new', amount: 5 } }]);
    driver.close();
    await seen(3);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(jsonLines(out).map((e) => e.position)).toEqual([EVENTS - 1, EVENTS, EVENTS + 1]);
  });

  it('export then import: an exact copy, checked by verify; progress lines when piped', async () => {
    const file = join(dir, 'export.jsonl');
    const exported = await runCli(cli, ['export', '--db', seeded, '-o', file]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain(`export: ${EVENTS}/${EVENTS} events (100%)`);
    expect(exported.stderr).not.toContain('\u001b'); // no terminal codes in a pipe
    const target = join(dir, 'copy.db');
    const imported = await runCli(cli, ['import', '--db', target, '-i', file, '--json']);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual({ imported: EVENTS });
    expect(imported.stderr).toContain(`import: ${EVENTS}/${EVENTS} events (100%)`);
    const verified = await runCli(cli, ['verify', '--db', target, '--json', '--no-progress']);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toEqual({
      ok: true,
      events: EVENTS,
      streams: 6,
      head: EVENTS,
    });
    expect(verified.stderr).toBe('');
    const again = await runCli(cli, ['events', '--db', target, '--json']);
    expect(again.stdout).toBe(readFileSync(file, 'utf8'));
  });

  it('import refuses a file that would break positions or versions, and writes nothing', async () => {
    const file = join(dir, 'refuse.jsonl');
    writeFileSync(file, (await runCli(cli, ['events', '--db', seeded, '--json'])).stdout);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const target = copy('refuse.db');
    // the log already holds positions 1..60
    const onTop = await runCli(cli, ['import', '--db', target, '-i', file, '--no-progress']);
    expect(onTop.code).toBe(1);
    expect(onTop.stderr).toMatch(
      /^whizbang: POSITION_GAP: Line 1 is at position 1, but the log would put it at 61/,
    );
    // --append gives positions anew, but each stream is already at its version
    const appended = await runCli(cli, [
      'import',
      '--db',
      target,
      '-i',
      file,
      '--append',
      '--json',
    ]);
    expect(appended.code).toBe(1);
    expect(JSON.parse(appended.stderr).error).toMatchObject({ code: 'VERSION_GAP', line: 1 });
    const empty = join(dir, 'empty.db');
    const gap = join(dir, 'gap.jsonl');
    writeFileSync(gap, `${[...lines.slice(0, 4), ...lines.slice(5)].join('\n')}\n`);
    const gapped = await runCli(cli, [
      'import',
      '--db',
      empty,
      '-i',
      gap,
      '--json',
      '--no-progress',
    ]);
    expect(gapped.code).toBe(1);
    expect(JSON.parse(gapped.stderr).error).toMatchObject({
      code: 'POSITION_GAP',
      line: 5,
      position: 6,
    });
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, `${lines[0]}\n{"position": 2, "oops"\n`);
    const malformed = await runCli(cli, ['import', '--db', empty, '-i', broken, '--json']);
    expect(malformed.code).toBe(1);
    expect(JSON.parse(malformed.stderr).error).toMatchObject({ code: 'MALFORMED_LINE', line: 2 });
    // nothing was written anywhere
    const head = (path: string): unknown =>
      new Database(path, { readonly: true })
        .prepare('SELECT count(*) AS n FROM whizbang_events')
        .get();
    expect(head(target)).toEqual({ n: EVENTS });
    expect(head(empty)).toEqual({ n: 0 });
  });

  it('verify names the first offending position: a gap, a version out of line, a payload that does not decode', async () => {
    const damage = async (name: string, sql: string): Promise<Record<string, unknown>> => {
      const path = copy(name);
      const db = new Database(path);
      db.exec(sql);
      db.close();
      const run = await runCli(cli, ['verify', '--db', path, '--json', '--no-progress']);
      expect(run.code).toBe(1);
      return JSON.parse(run.stderr).error;
    };
    expect(await damage('gap.db', 'DELETE FROM whizbang_events WHERE position = 7')).toMatchObject({
      code: 'POSITION_GAP',
      position: 7,
    });
    expect(
      await damage('version.db', 'UPDATE whizbang_events SET version = 99 WHERE position = 20'),
    ).toMatchObject({ code: 'VERSION_GAP', position: 20 });
    expect(
      await damage('payload.db', `UPDATE whizbang_events SET data = '{"id":' WHERE position = 33`),
    ).toMatchObject({ code: 'UNDECODABLE_PAYLOAD', position: 33 });
  });

  it('rebuild loads the app module and rebuilds one perspective', async () => {
    const path = copy('rebuild.db');
    const db = new Database(path);
    db.exec("UPDATE whizbang_models SET model = '{\"balance\":-1}' WHERE perspective = 'balances'");
    db.close();
    const env = { NODE_OPTIONS: '--import tsx' }; // the app module is TypeScript
    const module = join(import.meta.dirname, 'fixtures', 'app.ts');
    const run = await runCli(cli, ['rebuild', 'balances', '--db', path, '--app', module], env);
    expect(run.stderr).toContain(`rebuild balances: ${EVENTS}/${EVENTS} positions (100%)`);
    expect(run.stdout).toBe(`rebuilt balances up to position ${EVENTS}\n`);
    const driver = sqliteDriver({ path });
    const model = await driver.store.get('balances', 'default', 'a1');
    driver.close();
    // a1 got deposits i = 1, 7, 13, ... (i % 6 = 1), amounts i + 1, all in tenant default but i % 3 = 0
    const expected = Array.from({ length: EVENTS }, (_, i) => i)
      .filter((i) => i % 6 === 1 && i % 3 !== 0)
      .reduce((sum, i) => sum + i + 1, 0);
    expect(model?.model).toEqual({ balance: expected });
    const unknown = await runCli(cli, ['rebuild', 'nope', '--db', path, '--app', module], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('UNKNOWN_PERSPECTIVE');
    expect(unknown.stderr).toContain('balances');
  });

  it('migrate shows the schema version and applies the migrations', async () => {
    const path = join(dir, 'migrate.db');
    const before = await runCli(cli, ['migrate', '--db', path, '--json']);
    expect(JSON.parse(before.stdout)).toEqual({
      backend: 'sqlite',
      version: 0,
      latest: SCHEMA_VERSION,
      pending: SCHEMA_VERSION,
      applied: false,
    });
    const applied = await runCli(cli, ['migrate', '--db', path, '--apply']);
    expect(applied.stdout).toBe(`sqlite schema migrated from version 0 to ${SCHEMA_VERSION}.\n`);
    const after = await runCli(cli, ['migrate', '--db', path]);
    expect(after.stdout).toBe(`sqlite schema at version ${SCHEMA_VERSION}: up to date.\n`);
  });
});
