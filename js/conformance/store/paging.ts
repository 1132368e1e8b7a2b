/**
 * Indexed queries, counts and cursor paging: with its declared indexes a store answers as the
 * JavaScript evaluator does on random models and queries; pages by cursor cover every model once
 * while others are written between pages; the lens's `count`, `first`, `page` and `liveCount`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countMatches, cursorOf, runQuery } from '../../kit/mod.ts';
import { caught, type DriverBox, eventually } from '../helpers.ts';
import {
  type Driver,
  defineEvent,
  definePerspective,
  isWhizbangError,
  payload,
  type Query,
  type StoredModel,
  whizbang,
} from '../whizbang.ts';
import { randomModel, randomQuery, rowsOf } from './random-query.ts';

const P = 'paged';
/** The fields the property declares; `tags` and `missing` stay undeclared (a scan answers). */
const DECLARED = ['n', 's', 'b', 'nested.x'] as const;

const ids = (rows: readonly StoredModel[]): string[] => rows.map((r) => r.id);

async function putAll(driver: Driver, rows: readonly StoredModel[]): Promise<void> {
  await driver.store.transaction(async (tx) => {
    for (const row of rows) await tx.put(P, row);
  });
}

/** Registers the indexed query and paging tests. */
export function pagingSuite(driver: DriverBox): void {
  describe('indexed queries and paging', () => {
    it('answer as the JavaScript evaluator does, on random models and queries', async () => {
      const { store } = driver.current;
      await store.declare?.(P, DECLARED);
      await fc.assert(
        fc.asyncProperty(
          fc.array(randomModel, { maxLength: 12 }),
          randomQuery,
          fc.nat(12),
          async (models, query, at) => {
            await store.clear(P);
            const rows = rowsOf(models);
            await putAll(driver.current, rows);
            // a cursor from the whole answer, as a page would hand it out
            const { limit: _limit, offset: _offset, ...unpaged } = query;
            const whole = runQuery(rows, (r) => r.model, unpaged);
            const from = whole[at];
            const paged: Query =
              from === undefined || at % 2 === 1
                ? query
                : { ...query, after: cursorOf(from.id, from.model, query.orderBy) };
            const expected = ids(runQuery(rows, (r) => r.model, paged));
            expect(ids(await store.query(P, 'default', paged))).toEqual(expected);
            if (store.count !== undefined) {
              const count = countMatches(rows, (r) => r.model, query.where);
              expect(await store.count(P, 'default', query.where)).toBe(count);
            }
          },
        ),
        { numRuns: 60 },
      );
    });

    it('pages by cursor over every model once, while others are written between pages', async () => {
      const { store } = driver.current;
      await store.declare?.(P, ['rank']);
      const model = (i: number) => ({ rank: i % 7, label: `row ${i}` });
      const rows = rowsOf(Array.from({ length: 30 }, (_, i) => model(i)));
      await putAll(driver.current, rows);
      const orderBy = [{ rank: 'desc' as const }];
      const order: Query = { orderBy, limit: 7 };
      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 10; page++) {
        const found = await store.query(
          P,
          'default',
          after === undefined ? order : { ...order, after },
        );
        seen.push(...ids(found));
        const last = found.at(-1);
        if (found.length < 7 || last === undefined) break;
        after = cursorOf(last.id, last.model, orderBy);
        // between pages: a model already seen leaves, a new one lands before the cursor, and a
        // model still to come changes but keeps its place
        await store.transaction(async (tx) => {
          await tx.delete(P, 'default', found[0]!.id);
          await tx.put(P, { ...rows[0]!, id: `new${page}`, model: { rank: 99, label: 'new' } });
          const later = rows.find((r) => !seen.includes(r.id));
          if (later !== undefined) {
            await tx.put(P, { ...later, model: { ...(later.model as object), label: 'moved' } });
          }
        });
      }
      expect([...seen].sort()).toEqual(ids(rows).sort());
      const expected = ids(runQuery(rows, (r) => r.model, { orderBy }));
      expect(seen).toEqual(expected);
    });

    it('finds models written before their fields were declared, and after', async () => {
      const { store } = driver.current;
      const before = rowsOf(Array.from({ length: 9 }, (_, i) => ({ kind: `k${i % 3}`, n: i })));
      await putAll(driver.current, before);
      await store.declare?.(P, ['kind', 'n']);
      await putAll(driver.current, [{ ...before[0]!, id: 'late', model: { kind: 'k0', n: 20 } }]);
      await putAll(driver.current, [{ ...before[3]!, model: { kind: 'k1', n: 3 } }]); // moved
      const kinds = await store.query(P, 'default', {
        where: { kind: 'k0' },
        orderBy: { n: 'asc' },
      });
      expect(ids(kinds)).toEqual(['m00', 'm06', 'late']);
      const range = await store.query(P, 'default', { where: { n: { gte: 3, lt: 7 } } });
      expect(ids(range)).toEqual(['m03', 'm04', 'm05', 'm06']);
      expect(await store.count?.(P, 'default', { kind: { in: ['k1', 'k2'] } })).toBe(
        store.count === undefined ? undefined : 7,
      );
    });

    it('answers from the index as it was after a transaction that failed', async () => {
      const { store } = driver.current;
      await store.declare?.(P, ['kind']);
      const rows = rowsOf([{ kind: 'a' }, { kind: 'b' }]);
      await putAll(driver.current, rows);
      const failed = await caught(() =>
        store.transaction(async (tx) => {
          await tx.put(P, { ...rows[0]!, model: { kind: 'b' } });
          await tx.delete(P, 'default', rows[1]!.id);
          await tx.put(P, { ...rows[1]!, id: 'm99', model: { kind: 'a' } });
          throw new Error('changed my mind');
        }),
      );
      expect((failed as Error).message).toBe('changed my mind');
      expect(ids(await store.query(P, 'default', { where: { kind: 'a' } }))).toEqual(['m00']);
      expect(ids(await store.query(P, 'default', { where: { kind: { in: ['b'] } } }))).toEqual([
        'm01',
      ]);
    });

    it('refuses a cursor that is not one, or was made for another order, with INVALID_QUERY', async () => {
      const { store } = driver.current;
      const made = cursorOf('m01', { n: 1 }, { n: 'asc' });
      const bad: Query[] = [
        { after: 'not a cursor' },
        { after: made }, // one sort key in the cursor, none in the query
        { orderBy: [{ n: 'asc' }, { s: 'asc' }], after: made },
        { orderBy: { n: 'asc' }, after: JSON.stringify([{}, 'm01']) },
        { orderBy: { n: 'asc' }, after: JSON.stringify([1, '']) },
        { after: 7 as unknown as string },
      ];
      for (const query of bad) {
        const error = await caught(() => store.query(P, 'default', query));
        expect(isWhizbangError(error, 'INVALID_QUERY')).toBe(true);
      }
      expect(await store.query(P, 'default', { orderBy: { n: 'asc' }, after: made })).toEqual([]);
    });

    it('counts, finds the first, pages and counts live through the lens', async () => {
      const Filed = defineEvent(
        'PagedFiled',
        payload<{ id: string; status: string; due: number }>(),
      );
      const issues = definePerspective({
        name: 'paged_issues',
        events: [Filed],
        key: (e) => e.data.id,
        indexes: ['status', 'due'],
        initial: () => ({ id: '', status: '', due: 0 }),
        apply: (_m, e) => e.data,
      });
      const { name, ledger, store } = driver.current;
      const a = whizbang('paged').perspective(issues).build({ driver: { name, ledger, store } });
      const lens = a.lens(issues);
      const counts: number[] = [];
      const stop = lens.liveCount({ where: { status: 'open' } }, (n) => counts.push(n));
      for (let i = 0; i < 12; i++) {
        const status = i % 3 === 0 ? 'closed' : 'open';
        await a.publish(Filed({ id: `i${i}`, status, due: 100 - i }), { stream: `issue-${i}` });
      }
      expect(await lens.count({ where: { status: 'open' } })).toBe(8);
      expect(await lens.count()).toBe(12);
      expect(await lens.first({ where: { status: 'open' }, orderBy: { due: 'asc' } })).toEqual({
        id: 'i11',
        status: 'open',
        due: 89,
      });
      expect(await lens.first({ where: { status: 'nope' } })).toBeUndefined();
      const dues: number[] = [];
      let page = await lens.page({ where: { status: 'open' }, orderBy: { due: 'asc' }, limit: 3 });
      for (;;) {
        dues.push(...page.models.map((m) => m.due));
        if (page.next === undefined) break;
        page = await lens.page({
          where: { status: 'open' },
          orderBy: { due: 'asc' },
          limit: 3,
          after: page.next,
        });
      }
      expect(dues).toEqual([89, 90, 92, 93, 95, 96, 98, 99]);
      await eventually(() => counts.at(-1) === 8);
      stop();
      await a.close();
    });
  });
}
