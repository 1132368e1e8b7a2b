import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type PgPoolLike, postgresDriver } from '../../adapters/postgres/mod.ts';
import { DATABASE_URL, postgresReachable } from '../support/services.ts';

// Group commit on the real server: appends made together go in a few statements (the semantics,
// conflicts and failures included, are the ledger conformance suite's "concurrent appends").
const up = await postgresReachable('PostgreSQL');
const schema = `groupcommit_test_${process.pid}_${Date.now().toString(36)}`;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 8 });
pool.on('error', () => {});

/** The pool, counting the append statements sent through it (on the pool or a checked-out client). */
function counted(): {
  pool: PgPoolLike;
  one: () => number;
  many: () => number;
  reads: () => number;
} {
  let one = 0;
  let many = 0;
  let reads = 0;
  const see = (config: unknown): void => {
    const text = typeof config === 'string' ? config : (config as { text?: string }).text;
    if (text?.includes('.whizbang_append(')) one++;
    if (text?.includes('.whizbang_append_many(')) many++;
    if (text?.includes('FROM unnest(') && text.includes('CROSS JOIN LATERAL')) reads++;
  };
  const wrap = <T extends { query: (...args: never[]) => unknown }>(target: T): T =>
    new Proxy(target, {
      get(t, key, receiver) {
        const value = Reflect.get(t, key, receiver);
        if (key === 'query')
          return (...args: unknown[]) => {
            see(args[0]);
            return (value as (...a: unknown[]) => unknown).apply(t, args);
          };
        if (key === 'connect') return async () => wrap(await (value as () => Promise<T>).apply(t));
        return typeof value === 'function' ? value.bind(t) : value;
      },
    });
  return {
    pool: wrap(pool as unknown as PgPoolLike),
    one: () => one,
    many: () => many,
    reads: () => reads,
  };
}

afterAll(async () => {
  if (up) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

const deposit = (i: number) => [{ type: 'Deposited', data: { i } }];

describe.skipIf(!up)('PostgreSQL group commit', () => {
  it('sends appends made together as a few statements, positions in order', async () => {
    const c = counted();
    const d = await postgresDriver({ pool: c.pool, schema });
    const head = await d.ledger.headPosition();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => d.ledger.append(`g-${i % 10}`, deposit(i))),
    );
    expect(c.one() + c.many()).toBeLessThan(10);
    expect(c.many()).toBeGreaterThan(0);
    expect(results.map((r) => r.position - head)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    const all = await d.ledger.readAll({ from: head + 1 });
    expect(all.map((e) => e.data)).toEqual(Array.from({ length: 40 }, (_, i) => ({ i })));
    await d.close();
  });

  it('keeps each append inline work with it, in one transaction for the batch', async () => {
    const c = counted();
    const d = await postgresDriver({ pool: c.pool, schema });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        d.ledger.append(`h-${i}`, deposit(i), {
          expectedVersion: 'no_stream',
          inTransaction: (recorded, tx) =>
            tx.put('group', {
              id: `h-${i}`,
              tenant: 'default',
              model: { i },
              version: 1,
              position: recorded[0]!.position,
              updatedAt: 0,
            }),
        }),
      ),
    );
    expect(c.one() + c.many()).toBeLessThan(8);
    for (const r of results) {
      const model = await d.store.get('group', 'default', r.streamId);
      expect(model?.position).toBe(r.position);
    }
    await d.close();
  });

  it('reads streams asked for together in one statement, each as asked', async () => {
    const c = counted();
    const d = await postgresDriver({ pool: c.pool, schema });
    for (let s = 0; s < 4; s++) {
      await d.ledger.append(
        `r-${s}`,
        [0, 1, 2, 3, 4].map((i) => deposit(s * 10 + i)[0]!),
      );
    }
    const asks = [
      { stream: 'r-0', options: {} },
      { stream: 'r-1', options: { from: 2 } },
      { stream: 'r-2', options: { from: 2, to: 3 } },
      { stream: 'r-3', options: { limit: 2 } },
      { stream: 'r-none', options: {} },
      { stream: 'r-0', options: { tenant: 'other' } },
    ];
    const together = await Promise.all(asks.map((a) => d.ledger.readStream(a.stream, a.options)));
    expect(c.reads()).toBeGreaterThan(0);
    expect(c.reads()).toBeLessThan(asks.length);
    const alone: unknown[] = [];
    for (const a of asks) alone.push(await d.ledger.readStream(a.stream, a.options));
    expect(together).toEqual(alone);
    const versions = await Promise.all(
      asks.map((a) => d.ledger.streamVersion(a.stream, 'tenant' in a.options ? a.options : {})),
    );
    expect(versions).toEqual([5, 5, 5, 5, 0, 0]);
    expect(together.map((events) => events.map((e) => e.version))).toEqual([
      [1, 2, 3, 4, 5],
      [2, 3, 4, 5],
      [2, 3],
      [1, 2],
      [],
      [],
    ]);
    await d.close();
  });

  it('appendBatch: many streams in one statement and one transaction, all or none', async () => {
    const c = counted();
    const d = await postgresDriver({ pool: c.pool, schema });
    await d.ledger.append('b-a', deposit(0));
    const head = await d.ledger.headPosition();
    const results = await d.ledger.appendBatch([
      { streamId: 'b-a', events: deposit(1), options: { expectedVersion: 1 } },
      { streamId: 'b-b', events: [...deposit(2), ...deposit(3)], options: { tenant: 't2' } },
      {
        streamId: 'b-a',
        events: deposit(4),
        options: {
          expectedVersion: 2,
          inTransaction: (recorded, tx) =>
            tx.put('batch', {
              id: 'b-a',
              tenant: 'default',
              model: { n: recorded.length },
              version: recorded[0]!.version,
              position: recorded[0]!.position,
              updatedAt: 0,
            }),
        },
      },
    ]);
    expect(c.many()).toBe(1);
    expect(c.one()).toBe(1);
    expect(results.map((r) => [r.streamId, r.version, r.position - head])).toEqual([
      ['b-a', 2, 1],
      ['b-b', 2, 3],
      ['b-a', 3, 4],
    ]);
    expect(results[1]!.events.map((e) => [e.tenant, e.version, e.position - head])).toEqual([
      ['t2', 1, 2],
      ['t2', 2, 3],
    ]);
    expect(await d.store.get('batch', 'default', 'b-a')).toMatchObject({ version: 3 });
    expect(await d.ledger.readAll({ from: head + 1 })).toEqual(results.flatMap((r) => r.events));
    const refused = await d.ledger
      .appendBatch([
        { streamId: 'b-c', events: deposit(5) },
        { streamId: 'b-a', events: deposit(6), options: { expectedVersion: 1 } },
      ])
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
    expect(await d.ledger.headPosition()).toBe(head + 4);
    expect(await d.ledger.streamVersion('b-c')).toBe(0);
    expect(await d.ledger.appendBatch([])).toEqual([]);
    await d.close();
  });

  it('with groupCommit: false, each append is its own statement', async () => {
    const c = counted();
    const d = await postgresDriver({ pool: c.pool, schema, groupCommit: false });
    await Promise.all(Array.from({ length: 12 }, (_, i) => d.ledger.append(`k-${i}`, deposit(i))));
    expect(c.one()).toBe(12);
    expect(c.many()).toBe(0);
    await d.close();
  });
});
