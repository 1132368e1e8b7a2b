import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { ledgerConformance, outboxConformance } from '../../js/conformance/mod.ts';

// Group commit on real SQLite files: the ledger (and outbox) suites unchanged, and a look at the
// batches themselves.
const dir = mkdtempSync(join(tmpdir(), 'groupcommit-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => sqliteDriver({ path: join(dir, `g${++n}.db`), groupCommit: true });

ledgerConformance('sqlite group commit', fresh);
outboxConformance('sqlite group commit', fresh);

describe('sqlite group commit', () => {
  it('gathers appends made together into a few transactions, positions in order', async () => {
    const db = new Database(join(dir, 'counted.db'));
    let begins = 0;
    const prepare = db.prepare.bind(db);
    // counts the transactions the driver begins
    db.prepare = ((sql: string) => {
      const statement = prepare(sql);
      if (sql !== 'BEGIN IMMEDIATE') return statement;
      const run = statement.run.bind(statement);
      statement.run = ((...args: unknown[]) => {
        begins++;
        return run(...(args as []));
      }) as typeof statement.run;
      return statement;
    }) as typeof db.prepare;
    const d = sqliteDriver({ database: db, groupCommit: true });
    try {
      begins = 0;
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          d.ledger.append(`s-${i % 7}`, [{ type: 'T', data: { i } }]),
        ),
      );
      expect(results.map((r) => r.position)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(begins).toBeLessThanOrEqual(2);
      expect(d.ledger.readAll().map((e) => e.data)).toEqual(
        Array.from({ length: 50 }, (_, i) => ({ i })),
      );
    } finally {
      d.close();
      db.close();
    }
  });
});
