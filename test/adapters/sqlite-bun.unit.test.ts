// @runtimes bun
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/bun.ts';
import { isWhizbangError } from '../../js/errors.ts';
import { ledgerConformance } from '../conformance/ledger.ts';
import { storeConformance } from '../conformance/store.ts';

// The conformance suites on real SQLite files through bun:sqlite, one file per test. Bun only:
// vitest.config.ts leaves out files whose @runtimes line does not name node.
const dir = mkdtempSync(join(tmpdir(), 'whizbang-sqlite-bun-'));
let n = 0;
const fresh = () => sqliteDriver({ path: join(dir, `t${++n}.db`) });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

ledgerConformance('sqlite (bun:sqlite)', fresh);
storeConformance('sqlite (bun:sqlite)', fresh);

describe('sqlite on bun:sqlite', () => {
  it('opens an existing file and keeps what was written', () => {
    const path = join(dir, 'keep.db');
    const a = sqliteDriver({ path });
    a.ledger.append('s', [{ type: 'T', data: { x: 1 } }]);
    a.close();
    const b = sqliteDriver({ path });
    expect(b.ledger.readStream('s').map((e) => e.data)).toEqual([{ x: 1 }]);
    expect(b.database.name).toBe(path);
    b.close();
  });

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
