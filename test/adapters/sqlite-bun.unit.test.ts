// @runtimes bun
import { describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/bun.ts';
import { isWhizbangError } from '../../js/errors.ts';
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
