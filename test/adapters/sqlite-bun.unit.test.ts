// @runtimes bun
import { describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/bun.ts';
import { isWhizbangError } from '../../js/util/errors.ts';
import { sqliteSuite } from './sqlite-suite.ts';

// The conformance suites on real SQLite files through bun:sqlite, one file per test. Bun only:
// vitest.config.ts leaves out files whose @runtimes line does not name node.
const { fresh } = sqliteSuite('sqlite (bun:sqlite)', sqliteDriver);
describe('sqlite on bun:sqlite', () => {
  it('answers undefined, not null, for a query with no row', () => {
    const driver = fresh();
    const statement = driver.database.prepare(
      'SELECT version FROM whizbang_streams WHERE stream_id = ?',
    );
    expect(statement.get('missing')).toBeUndefined();
    expect(statement.all('missing')).toEqual([]);
    driver.close();
  });

  it('reads rows as arrays in select-list order, and none for a statement without rows', () => {
    const driver = fresh();
    const db = driver.database;
    db.exec('CREATE TABLE whizbang_probe (k INTEGER PRIMARY KEY, t TEXT, b BLOB)');
    const insert = db.prepare('INSERT INTO whizbang_probe (k, t, b) VALUES (?, ?, ?)');
    insert.run(1, 'a\u0000b', new Uint8Array([0, 1]));
    insert.run(2, null, null);
    expect(insert.values?.(3, 'c', null)).toEqual([]);
    const rows = db.prepare('SELECT t, k, b FROM whizbang_probe ORDER BY k').values?.();
    expect(rows).toEqual([
      ['a\u0000b', 1, new Uint8Array([0, 1])],
      [null, 2, null],
      ['c', 3, null],
    ]);
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
