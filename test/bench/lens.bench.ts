/**
 * Indexed lens queries: a selective query (1% of 100 000 models, on a declared field, ordered,
 * limit 50) through the store that declared the field (SQL narrowed by its expression index)
 * against the same query on a store of the same file that declared nothing (every model of the
 * tenant read and filtered in JavaScript: the path every query took before indexes).
 */
import type { SqliteDriver } from '../../adapters/sqlite/mod.ts';
import type { Query, StoredModel } from '../../js/mod.ts';
import type { BenchEntry, Runtime } from './harness.ts';
import { benchEngine, freshPath, remove } from './sqlite-engine.ts';

const EVERYWHERE: readonly Runtime[] = ['node', 'bun', 'deno'];
const MODELS = 100_000;
/** 100 statuses: each one holds 1% of the models. */
const STATUSES = 100;
const P = 'tasks';

/** The query of operation `i`: one status, by due date, the first 50. */
const selective = (i: number): Query => ({
  where: { status: `s${i % STATUSES}` },
  orderBy: { dueAt: 'asc' },
  limit: 50,
});

function fill(driver: SqliteDriver): void {
  driver.database.exec('PRAGMA synchronous = OFF'); // setup only
  const rows: StoredModel[] = [];
  for (let i = 0; i < MODELS; i++) {
    rows.push({
      id: `task-${String(i).padStart(6, '0')}`,
      tenant: 'default',
      model: {
        title: `Task ${i}`,
        status: `s${(i * 7919) % STATUSES}`,
        owner: { id: `u${i % 997}` },
        dueAt: 1_700_000_000_000 + ((i * 104_729) % 10_000_000),
        points: i % 13,
      },
      version: 1,
      position: i + 1,
      updatedAt: 1,
    });
  }
  driver.store.transaction((tx) => {
    for (const row of rows) tx.put(P, row);
  });
}

function run(driver: SqliteDriver, n: number): number {
  let found = 0;
  for (let i = 0; i < n; i++)
    found += (driver.store.query(P, 'default', selective(i)) as StoredModel[]).length;
  return found === n * 50 ? n * 60 : 0; // per minute: a scan takes a large part of a second
}

export const benches: BenchEntry[] = [
  {
    name: 'lens.query.indexed',
    runtimes: EVERYWHERE,
    make: async () => {
      const engine = benchEngine();
      const path = freshPath('lens-indexed');
      const indexed = engine.driver({ path });
      await indexed.store.declare?.(P, ['status', 'dueAt']);
      fill(indexed);
      const scanning = engine.driver({ path }); // the same file; this store declared nothing
      return {
        name: 'lens.query.indexed',
        unit: 'queries/min',
        goal: 20,
        ops: 10,
        rounds: 5,
        subject: {
          name: `SQLite (${engine.library}), 100 000 models: status = one of 100 (1%), orderBy dueAt, limit 50, status declared (expression index)`,
          run: (n) => run(indexed, n),
        },
        baseline: {
          name: 'the same query on a store that declared no field: every model of the tenant read, filtered and sorted in JavaScript',
          run: (n) => run(scanning, n),
        },
        dispose: () => {
          scanning.close();
          indexed.close();
          remove(path);
        },
      };
    },
  },
];
