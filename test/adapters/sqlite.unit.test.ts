import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { ledgerConformance } from '../conformance/ledger.ts';
import { storeConformance } from '../conformance/store.ts';

// The conformance suites on real SQLite files (better-sqlite3), one file per test.
const dir = mkdtempSync(join(tmpdir(), 'whizbang-sqlite-'));
let n = 0;
const fresh = () => sqliteDriver({ path: join(dir, `t${++n}.db`) });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

ledgerConformance('sqlite (better-sqlite3)', fresh);
storeConformance('sqlite (better-sqlite3)', fresh);

describe('sqlite files', () => {
  it('opens an existing file and keeps what was written', () => {
    const path = join(dir, 'keep.db');
    const a = sqliteDriver({ path });
    a.ledger.append('s', [{ type: 'T', data: { x: 1 } }]);
    a.close();
    const b = sqliteDriver({ path });
    expect(b.ledger.readStream('s').map((e) => e.data)).toEqual([{ x: 1 }]);
    b.close();
  });
});
