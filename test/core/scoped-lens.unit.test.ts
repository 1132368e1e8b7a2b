/**
 * Lenses scoped by principal (`scopedLens(app, perspective, principal)`) on the memory store, a
 * promise-based store, SQLite and IndexedDB (scoped-lens-suite.ts; PostgreSQL in
 * scoped-lens-postgres.int.test.ts), and how a scope joins a query's filter.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterAll, describe, expect, it } from 'vitest';
import { indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { type Driver, memoryDriver } from '../../js/mod.ts';
import { narrow } from '../../js/runtime/scoped-lens.ts';
import { asyncDriver } from '../support/async-driver.ts';
import { scopedLensSuite } from './scoped-lens-suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'scoped-lens-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let made = 0;

const stores: Array<[string, () => Driver | Promise<Driver>]> = [
  ['memory', () => memoryDriver()],
  ['a promise-based store', () => asyncDriver(memoryDriver())],
  ['SQLite', () => sqliteDriver({ path: join(dir, `lists-${made++}.db`) })],
  [
    'IndexedDB',
    () => indexedDbDriver({ name: `lists-${made++}`, indexedDB: new IDBFactory(), IDBKeyRange }),
  ],
];

for (const [name, driver] of stores) scopedLensSuite(name, driver);

describe('a scope joined to a query’s filter', () => {
  const scope = { owner: 'ann', n: { gte: 2 }, tag: { in: ['a', 'b'] } };

  it('keeps both, takes the stricter bound, intersects `in`, and says when nothing can match', () => {
    expect(narrow(undefined, scope, 'p')).toBe(scope);
    expect(narrow({ title: 'x' }, scope, 'p')).toEqual({ title: 'x', ...scope });
    expect(narrow({ owner: 'ann' }, scope, 'p')).toMatchObject({ owner: { eq: 'ann' } });
    expect(narrow({ owner: 'bob' }, scope, 'p')).toBeNull();
    expect(narrow({ owner: { ne: 'bob' } }, scope, 'p')).toMatchObject({
      owner: { ne: 'bob', eq: 'ann' },
    });
    expect(narrow({ n: { gte: 5 } }, scope, 'p')).toMatchObject({ n: { gte: 5 } });
    expect(narrow({ n: { gte: 0, lt: 9 } }, scope, 'p')).toMatchObject({ n: { gte: 2, lt: 9 } });
    expect(narrow({ tag: { in: ['b', 'c'] } }, scope, 'p')).toMatchObject({ tag: { in: ['b'] } });
    expect(narrow({ tag: { in: ['c'] } }, scope, 'p')).toBeNull();
  });

  it('refuses what the query language cannot say (INVALID_QUERY)', () => {
    expect(() =>
      narrow({ members: { contains: 'bob' } }, { members: { contains: 'ann' } }, 'lists'),
    ).toThrow(expect.objectContaining({ code: 'INVALID_QUERY' }));
  });
});
