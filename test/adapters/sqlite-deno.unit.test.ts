// @runtimes deno
import { describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/deno.ts';
import { isWhizbangError } from '../../js/util/errors.ts';
import { sqliteSuite } from './sqlite-suite.ts';

// The conformance suites on real SQLite files through Deno's node:sqlite, one file per test. Deno
// only: vitest.config.ts leaves out files whose @runtimes line does not name node. The runner lets
// Deno write in its temp dir only (TMPDIR), which is where these files go.
const { fresh } = sqliteSuite('sqlite (node:sqlite on Deno)', sqliteDriver);
describe('sqlite on node:sqlite (Deno)', () => {
  it('reads text holding U+0000 whole, which node:sqlite on Deno cuts short', () => {
    const driver = sqliteDriver({ path: ':memory:' });
    const db = driver.database;
    db.exec('CREATE TABLE whizbang_probe (k INTEGER PRIMARY KEY, t TEXT, b BLOB, x)');
    const insert = db.prepare('INSERT INTO whizbang_probe (k, t, b, x) VALUES (?, ?, ?, ?)');
    const odd = ['a\u0000b', '\u0000', 'ü\u0000ñ', 'plain', 'ünïcödé'];
    for (const [k, t] of odd.entries()) insert.run(k, t, new Uint8Array([0, 1, k]), t);
    insert.run(9, null, null, 42);
    const rows = db.prepare('SELECT k, t, b, x FROM whizbang_probe ORDER BY k DESC').all();
    expect(rows.map((r) => r.k)).toEqual([9, 4, 3, 2, 1, 0]);
    expect(rows.map((r) => r.t)).toEqual([null, ...[...odd].reverse()]);
    expect(rows.map((r) => r.x)).toEqual([42, ...[...odd].reverse()]);
    // a blob with a zero byte stays a blob
    expect(rows[1]?.b).toEqual(new Uint8Array([0, 1, 4]));
    expect(db.prepare('SELECT t FROM whizbang_probe WHERE k = ?').get(0)).toEqual({
      t: 'a\u0000b',
    });
    expect(db.prepare('SELECT t FROM whizbang_probe WHERE k = ?').get(99)).toBeUndefined();
    // rows as arrays (the ledger's reads) are whole too, with only the query's own columns
    const values = db.prepare('SELECT k, t, b, x FROM whizbang_probe ORDER BY k DESC').values?.();
    expect(values?.map((row) => row.length)).toEqual([4, 4, 4, 4, 4, 4]);
    expect(values?.map((row) => row[1])).toEqual([null, ...[...odd].reverse()]);
    expect(values?.map((row) => row[3])).toEqual([42, ...[...odd].reverse()]);
    expect(values?.[1]?.[2]).toEqual(new Uint8Array([0, 1, 4]));
    driver.close();
  });

  it('counts the rows a statement changed', () => {
    const driver = fresh();
    const insert = driver.database.prepare(
      'INSERT OR IGNORE INTO whizbang_inbox (tenant, message_id, handled_at) VALUES (?, ?, ?)',
    );
    expect(Number(insert.run('t', 'm', 1).changes)).toBe(1);
    expect(Number(insert.run('t', 'm', 2).changes)).toBe(0);
    driver.close();
  });

  it('refuses a missing path with INVALID_ARGUMENT', () => {
    let error: unknown;
    try {
      sqliteDriver({ path: '' });
    } catch (thrown) {
      error = thrown;
    }
    expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
  });
});
