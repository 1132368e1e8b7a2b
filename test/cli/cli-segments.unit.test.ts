/**
 * `whizbang export --format segments`, `import` of the file (its format told by its first bytes)
 * and `verify --input` of its CRCs, on real SQLite files: a faithful copy, a damaged file refused
 * with CORRUPT_DATA and its offset and nothing written, a filtered segment export refused; and
 * stdin (`-i -`), read once through a temporary file: piped in whole, damaged or cut short.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { exportLedger } from '../../js/wasm/ledger-file.ts';
import { type BuiltCli, buildCli, type CliRun, runCli } from '../support/cli.ts';
import { app, Deposit } from './fixtures/app.ts';

let cli: BuiltCli;
let dir: string;
let seeded: string;

async function seed(path: string): Promise<void> {
  const driver = sqliteDriver({ path });
  const built = app.build({ driver });
  for (let i = 0; i < 40; i++)
    await built.send(Deposit({ id: `a${i % 4}`, amount: i + 1 }), {
      tenant: i % 3 === 0 ? 'acme' : 'default',
    });
  await built.close();
  driver.close();
}

async function readAll(path: string): Promise<unknown[]> {
  const driver = sqliteDriver({ path });
  try {
    return await driver.ledger.readAll();
  } finally {
    driver.close();
  }
}

/** Runs the CLI with `input` piped to its stdin, and a TMPDIR of the test's own. */
function runWithStdin(args: readonly string[], input: Uint8Array, tmp: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cli.script, ...args],
      { env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8' },
      (error, stdout, stderr) =>
        resolve({
          stdout,
          stderr,
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1,
        }),
    );
    child.stdin?.end(input);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-segments-'));
  seeded = join(dir, 'seeded.db');
  [cli] = await Promise.all([buildCli(), seed(seeded)]);
}, 60_000);

afterAll(() => {
  cli?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('whizbang with segment files', { timeout: 60_000 }, () => {
  it('exports, verifies and imports a segment file: a faithful copy', async () => {
    const file = join(dir, 'log.seg');
    const out = await runCli(cli, ['export', '--db', seeded, '--format', 'segments', '-o', file]);
    expect(out.stderr).toContain('exported 40 events');
    expect(out.code).toBe(0);
    expect(readFileSync(file).subarray(0, 4).toString('latin1')).toBe('WBZS');
    const ok = await runCli(cli, ['verify', '--input', file, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, events: 40, segments: 1 });
    const copy = join(dir, 'copy.db');
    const imported = await runCli(cli, ['import', '--db', copy, '-i', file, '--json']);
    expect(imported.stderr).toContain('import: 40/40 events');
    expect(JSON.parse(imported.stdout)).toEqual({ imported: 40 });
    expect(await readAll(copy)).toEqual(await readAll(seeded));
  });

  it('refuses a damaged file with CORRUPT_DATA and its offset, writing nothing', async () => {
    const file = join(dir, 'damaged.seg');
    await runCli(cli, ['export', '--db', seeded, '--format', 'segments', '-o', file]);
    const bytes = readFileSync(file);
    bytes[bytes.length - 40] = bytes[bytes.length - 40]! ^ 0x04;
    writeFileSync(file, bytes);
    const bad = await runCli(cli, ['verify', '--input', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^whizbang: CORRUPT_DATA: Corrupt data at byte \d+: bad-checksum/);
    const target = join(dir, 'untouched.db');
    const refused = await runCli(cli, [
      'import',
      '--db',
      target,
      '-i',
      file,
      '--format',
      'segments',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('CORRUPT_DATA');
    expect(await readAll(target)).toEqual([]);
  });

  it('a segment export takes a position range, not a filter', async () => {
    const file = join(dir, 'range.seg');
    expect(
      (
        await runCli(cli, [
          'export',
          '--db',
          seeded,
          '--format',
          'segments',
          '--from',
          '11',
          '-o',
          file,
        ])
      ).code,
    ).toBe(0);
    const ok = await runCli(cli, ['verify', '--input', file, '--json']);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      events: 30,
      firstPosition: 11,
      lastPosition: 40,
    });
    const filtered = await runCli(cli, [
      'export',
      '--db',
      seeded,
      '--format',
      'segments',
      '--tenant',
      'acme',
    ]);
    expect(filtered.code).toBe(2);
    expect(filtered.stderr).toContain('USAGE');
    const neither = await runCli(cli, ['verify']);
    expect(neither.code).toBe(2);
  });

  it('imports from stdin, read once through a temporary file removed after, damaged or not', async () => {
    // four segments of 10 events: the sound ones before a damaged one are staged, then dropped
    const driver = sqliteDriver({ path: seeded });
    const bytes = Buffer.from(await exportLedger(driver.ledger, { segmentEvents: 10 }));
    driver.close();
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    const args = (db: string) => ['import', '--db', db, '-i', '-', '--format', 'segments'];
    const copy = join(dir, 'piped.db');
    const ok = await runWithStdin([...args(copy), '--json'], bytes, tmp);
    expect(ok.stderr).toContain('import: 40/40 events');
    expect(JSON.parse(ok.stdout)).toEqual({ imported: 40 });
    expect(await readAll(copy)).toEqual(await readAll(seeded));
    const damaged = Buffer.from(bytes);
    damaged[bytes.length - 100] = damaged[bytes.length - 100]! ^ 0x01;
    for (const [bad, reason] of [
      [damaged, /CORRUPT_DATA: Corrupt data at byte \d+: bad-/],
      [bytes.subarray(0, bytes.length - 9), /CORRUPT_DATA: Corrupt data at byte \d+: truncated/],
    ] as const) {
      const target = join(dir, `piped-bad-${bad.length}.db`);
      const refused = await runWithStdin(args(target), bad, tmp);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(reason);
      expect(await readAll(target)).toEqual([]);
      // a file cut short on disk is refused the same way (read twice: checked, never appended)
      const onDisk = join(dir, `bad-${bad.length}.seg`);
      writeFileSync(onDisk, bad);
      const fromFile = await runCli(cli, ['import', '--db', target, '-i', onDisk]);
      expect(fromFile.stderr).toBe(refused.stderr);
      const verified = await runWithStdin(['verify', '--input', '-'], bad, tmp);
      expect(verified.stderr).toBe(refused.stderr);
      expect(await readAll(target)).toEqual([]);
    }
    expect(readdirSync(tmp)).toEqual([]);
  });
});
