import { describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { sqliteSuite } from './sqlite-suite.ts';

// The conformance suites on real SQLite files (better-sqlite3), one file per test.
const { fresh } = sqliteSuite('sqlite (better-sqlite3)', sqliteDriver);

describe('sqlite model writes held until commit', () => {
  const model = (id: string, value: unknown) => ({
    id,
    tenant: 'default',
    model: value,
    version: 1,
    position: 1,
    updatedAt: 0,
  });

  it('are seen by every read while the transaction is open, and kept once it commits', async () => {
    const d = fresh();
    let release!: () => void;
    const done = d.store.transaction(async (tx) => {
      await tx.put('p', model('a', { n: 1 }));
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await Promise.resolve();
    expect(d.store.get('p', 'default', 'a')?.model).toEqual({ n: 1 });
    expect(d.store.query('p', 'default', {}).map((r) => r.id)).toEqual(['a']);
    release();
    await done;
    d.close();
    const again = sqliteDriver({ path: d.database.name });
    expect(again.store.get('p', 'default', 'a')?.model).toEqual({ n: 1 });
    again.close();
  });

  it('are dropped, with everything else, when the transaction throws', async () => {
    const d = fresh();
    await expect(
      d.store.transaction(async (tx) => {
        await tx.put('p', model('a', { n: 1 }));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(d.store.get('p', 'default', 'a')).toBeUndefined();
    expect(d.store.query('p', 'default', {})).toEqual([]);
    d.close();
  });

  it('follow put and delete in the order they came', () => {
    const d = fresh();
    d.store.transaction((tx) => {
      tx.put('p', model('a', 1));
      tx.delete('p', 'default', 'a');
      tx.delete('p', 'default', 'b');
      tx.put('p', model('b', 2));
    });
    expect(d.store.get('p', 'default', 'a')).toBeUndefined();
    expect(d.store.get('p', 'default', 'b')?.model).toBe(2);
    d.close();
  });

  it('roll the whole append back when a model cannot be written', () => {
    const d = fresh();
    expect(() =>
      d.ledger.append('s', [{ type: 'T', data: {} }], {
        inTransaction: (_events, tx) => tx.put('p', model('a', { n: 1n })),
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(d.ledger.readStream('s')).toEqual([]);
    expect(d.ledger.streamVersion('s')).toBe(0);
    expect(d.store.get('p', 'default', 'a')).toBeUndefined();
    d.ledger.append('s', [{ type: 'T', data: {} }], {
      inTransaction: (_events, tx) => tx.put('p', model('a', { n: 1 })),
    });
    expect(d.ledger.streamVersion('s')).toBe(1);
    expect(d.store.get('p', 'default', 'a')?.model).toEqual({ n: 1 });
    d.close();
  });
});
