/** Lens queries: equality, every operator, dotted paths, sorting, paging and bad queries. */
import { faker } from '@faker-js/faker';
import { beforeEach, describe, expect, it } from 'vitest';
import { caught, type DriverBox } from '../helpers.ts';
import type { Query, StoredModel } from '../whizbang.ts';
import { isWhizbangError } from '../whizbang.ts';

const P = 'accounts';

interface Account {
  seq: number;
  owner: string;
  status: 'open' | 'frozen' | 'closed';
  /** One row keeps its balance as a string: comparisons must not mix types. */
  balance: number | string;
  tags: string[];
  vip: boolean;
  address?: { city: string; zip: string };
  rank?: number;
  note?: string;
}

const accounts: Record<string, Omit<Account, 'owner'>> = {
  r01: {
    seq: 1,
    status: 'open',
    balance: 120,
    tags: ['vip', 'eu'],
    vip: true,
    address: { city: 'Paris', zip: '75001' },
    rank: 3,
    note: 'Needs review',
  },
  r02: {
    seq: 2,
    status: 'open',
    balance: 0,
    tags: ['eu'],
    vip: false,
    address: { city: 'Berlin', zip: '10115' },
    rank: 1,
  },
  r03: {
    seq: 3,
    status: 'frozen',
    balance: -50,
    tags: [],
    vip: false,
    address: { city: 'Paris', zip: '75002' },
    note: 'review later',
  },
  r04: {
    seq: 4,
    status: 'closed',
    balance: 999.5,
    tags: ['us', 'vip'],
    vip: true,
    address: { city: 'Boston', zip: '02108' },
    rank: 2,
  },
  r05: { seq: 5, status: 'open', balance: '700', tags: ['us'], vip: false, rank: 5 },
  r06: {
    seq: 6,
    status: 'frozen',
    balance: 300,
    tags: ['eu', 'us'],
    vip: true,
    address: { city: 'Berlin', zip: '10117' },
  },
  r07: {
    seq: 7,
    status: 'open',
    balance: 45,
    tags: ['vip'],
    vip: false,
    address: { city: 'Austin', zip: '73301' },
    rank: 4,
    note: 'REVIEW',
  },
  r08: {
    seq: 8,
    status: 'closed',
    balance: 120,
    tags: ['eu'],
    vip: false,
    address: { city: 'Paris', zip: '75003' },
    rank: 6,
  },
};

function rowOf(
  id: string,
  model: Omit<Account, 'owner'>,
  tenant = 'default',
): StoredModel<Account> {
  return {
    id,
    tenant,
    model: { owner: faker.person.fullName(), ...model },
    version: model.seq,
    position: model.seq * 10,
    updatedAt: faker.date.recent().getTime(),
  };
}

/** Ids of the rows, in the order returned. */
const ids = (rows: readonly StoredModel[]): string[] => rows.map((r) => r.id);

/** Registers the lens query tests on a seeded perspective. */
export function querySuite(driver: DriverBox): void {
  describe('query', () => {
    let rows: StoredModel<Account>[] = [];
    const run = async (query: Query): Promise<string[]> =>
      ids(await driver.current.store.query(P, 'default', query));
    /** Ids matching a query whose order is unspecified, sorted. */
    const matching = async (where: Query['where']): Promise<string[]> =>
      (await run(where === undefined ? {} : { where })).sort();
    /** Ids of the rows `predicate` accepts, computed here in plain JavaScript. */
    const expected = (predicate: (m: Account) => boolean): string[] =>
      ids(rows.filter((r) => predicate(r.model))).sort();

    beforeEach(async () => {
      rows = Object.entries(accounts).map(([id, model]) => rowOf(id, model));
      await driver.current.store.transaction(async (tx) => {
        for (const row of rows) await tx.put(P, row);
        await tx.put(P, rowOf('r99', { ...accounts.r01!, seq: 99 }, 'other'));
      });
    });

    it('without a filter returns every row of the tenant, as stored', async () => {
      expect(await matching(undefined)).toEqual(expected(() => true));
      const all = await driver.current.store.query(P, 'default', {});
      expect(all.find((r) => r.id === 'r04')).toEqual(rows[3]);
      expect(ids(await driver.current.store.query(P, 'other', {}))).toEqual(['r99']);
      expect(await driver.current.store.query(P, 'nobody', {})).toEqual([]);
    });

    it('plain values mean equality (strings, numbers, booleans), every field at once', async () => {
      expect(await matching({ status: 'open' })).toEqual(['r01', 'r02', 'r05', 'r07']);
      expect(await matching({ balance: 120 })).toEqual(['r01', 'r08']);
      expect(await matching({ vip: true })).toEqual(['r01', 'r04', 'r06']);
      expect(await matching({ vip: false, status: 'open' })).toEqual(['r02', 'r05', 'r07']);
      expect(await matching({ balance: 700 })).toEqual([]);
      expect(await matching({ balance: '700' })).toEqual(['r05']);
      expect(await matching({ status: 'Open' })).toEqual([]);
    });

    it('eq and ne (a missing field is not equal to anything)', async () => {
      expect(await matching({ status: { eq: 'frozen' } })).toEqual(['r03', 'r06']);
      expect(await matching({ rank: { eq: 3 } })).toEqual(['r01']);
      expect(await matching({ status: { ne: 'open' } })).toEqual(['r03', 'r04', 'r06', 'r08']);
      expect(await matching({ note: { ne: 'REVIEW' } })).toEqual(
        expected((m) => m.note !== 'REVIEW'),
      );
      expect(await matching({ note: { ne: 'REVIEW' } })).toContain('r02');
    });

    it('gt, gte, lt, lte on numbers compare numbers only', async () => {
      const num = (m: Account): number | undefined =>
        typeof m.balance === 'number' ? m.balance : undefined;
      expect(await matching({ balance: { gt: 120 } })).toEqual(
        expected((m) => (num(m) ?? -Infinity) > 120),
      );
      expect(await matching({ balance: { gt: 120 } })).toEqual(['r04', 'r06']);
      expect(await matching({ balance: { gte: 120 } })).toEqual(['r01', 'r04', 'r06', 'r08']);
      expect(await matching({ balance: { lt: 45 } })).toEqual(['r02', 'r03']);
      expect(await matching({ balance: { lte: 45 } })).toEqual(['r02', 'r03', 'r07']);
      expect(await matching({ balance: { gte: 0, lt: 300 } })).toEqual([
        'r01',
        'r02',
        'r07',
        'r08',
      ]);
      expect(await matching({ rank: { gt: 0 } })).toEqual(expected((m) => m.rank !== undefined));
    });

    it('gt, gte, lt, lte on strings compare strings only', async () => {
      expect(await matching({ 'address.zip': { gte: '75001', lt: '75003' } })).toEqual([
        'r01',
        'r03',
      ]);
      expect(await matching({ 'address.city': { lt: 'C' } })).toEqual(['r02', 'r04', 'r06', 'r07']);
      expect(await matching({ 'address.city': { lte: 'Berlin' } })).toEqual(['r02', 'r06', 'r07']);
      expect(await matching({ 'address.city': { gt: 'Boston' } })).toEqual(['r01', 'r03', 'r08']);
      expect(await matching({ balance: { gt: '5' } })).toEqual(['r05']);
    });

    it('in matches any listed value; an empty list matches nothing', async () => {
      expect(await matching({ status: { in: ['frozen', 'closed'] } })).toEqual([
        'r03',
        'r04',
        'r06',
        'r08',
      ]);
      expect(await matching({ rank: { in: [1, 2, 99] } })).toEqual(['r02', 'r04']);
      expect(await matching({ balance: { in: ['700', 45] } })).toEqual(['r05', 'r07']);
      expect(await matching({ status: { in: [] } })).toEqual([]);
    });

    it('contains: a substring of a string (case-sensitive), an element of an array', async () => {
      expect(await matching({ note: { contains: 'review' } })).toEqual(['r01', 'r03']);
      expect(await matching({ note: { contains: 'REV' } })).toEqual(['r07']);
      expect(await matching({ tags: { contains: 'vip' } })).toEqual(['r01', 'r04', 'r07']);
      expect(await matching({ tags: { contains: 'v' } })).toEqual([]);
      expect(await matching({ balance: { contains: '7' } })).toEqual(['r05']);
      expect(await matching({ tags: { contains: 'eu' }, vip: true })).toEqual(['r01', 'r06']);
    });

    it('dotted paths reach into nested objects; missing parts match nothing', async () => {
      expect(await matching({ 'address.city': 'Paris' })).toEqual(['r01', 'r03', 'r08']);
      expect(await matching({ 'address.city': { in: ['Berlin', 'Austin'] } })).toEqual([
        'r02',
        'r06',
        'r07',
      ]);
      expect(await matching({ 'address.city.name': 'Paris' })).toEqual([]);
      expect(await matching({ 'nowhere.at.all': { eq: 1 } })).toEqual([]);
    });

    it('orders ascending and descending, by one key or several', async () => {
      expect(await run({ orderBy: { seq: 'desc' } })).toEqual([
        'r08',
        'r07',
        'r06',
        'r05',
        'r04',
        'r03',
        'r02',
        'r01',
      ]);
      expect(
        await run({
          where: { 'address.city': { in: ['Paris', 'Berlin'] } },
          orderBy: { 'address.zip': 'asc' },
        }),
      ).toEqual(['r02', 'r06', 'r01', 'r03', 'r08']);
      expect(await run({ orderBy: [{ status: 'asc' }, { seq: 'desc' }] })).toEqual([
        'r08',
        'r04',
        'r06',
        'r03',
        'r07',
        'r05',
        'r02',
        'r01',
      ]);
      expect(await run({ orderBy: { status: 'desc', seq: 'asc' } })).toEqual([
        'r01',
        'r02',
        'r05',
        'r07',
        'r03',
        'r06',
        'r04',
        'r08',
      ]);
      expect(
        await run({
          where: { balance: { gte: -1000 } },
          orderBy: [{ balance: 'desc' }, { seq: 'asc' }],
        }),
      ).toEqual(['r04', 'r06', 'r01', 'r08', 'r07', 'r02', 'r03']);
    });

    it('sorts missing values last, ascending and descending', async () => {
      expect(await run({ orderBy: [{ rank: 'asc' }, { seq: 'asc' }] })).toEqual([
        'r02',
        'r04',
        'r01',
        'r07',
        'r05',
        'r08',
        'r03',
        'r06',
      ]);
      expect(await run({ orderBy: [{ rank: 'desc' }, { seq: 'asc' }] })).toEqual([
        'r08',
        'r05',
        'r07',
        'r01',
        'r04',
        'r02',
        'r03',
        'r06',
      ]);
    });

    it('pages with limit and offset after filtering and sorting', async () => {
      const bySeq = { orderBy: { seq: 'asc' } } as const;
      expect(await run({ ...bySeq, limit: 3 })).toEqual(['r01', 'r02', 'r03']);
      expect(await run({ ...bySeq, limit: 3, offset: 3 })).toEqual(['r04', 'r05', 'r06']);
      expect(await run({ ...bySeq, limit: 3, offset: 6 })).toEqual(['r07', 'r08']);
      expect(await run({ ...bySeq, limit: 3, offset: 8 })).toEqual([]);
      expect(await run({ ...bySeq, offset: 5 })).toEqual(['r06', 'r07', 'r08']);
      expect(await run({ ...bySeq, limit: 0 })).toEqual([]);
      expect(await run({ ...bySeq, where: { status: 'open' }, limit: 2, offset: 1 })).toEqual([
        'r02',
        'r05',
      ]);
      expect(await run({ orderBy: { seq: 'desc' }, limit: 2, offset: 1 })).toEqual(['r07', 'r06']);
    });

    it('rejects a malformed query with INVALID_QUERY, with or without rows', async () => {
      const bad: unknown[] = [
        { where: { status: { like: 'o%' } } },
        { where: { '': 'x' } },
        { limit: -1 },
        { limit: 1.5 },
        { offset: -1 },
        { orderBy: { seq: 'up' } },
        { orderBy: [{ seq: 'asc' }, { status: 'sideways' }] },
      ];
      for (const perspective of [P, 'empty']) {
        for (const query of bad) {
          const error = await caught(() =>
            driver.current.store.query(perspective, 'default', query as Query),
          );
          expect(isWhizbangError(error, 'INVALID_QUERY')).toBe(true);
        }
      }
    });

    it('rejects `in` without a list with INVALID_QUERY, whatever the rows', async () => {
      const { store } = driver.current;
      const query = { where: { status: { in: 'open' } } } as unknown as Query;
      const excluded = { where: { seq: 999, status: { in: 'open' } } } as unknown as Query;
      for (const [perspective, q] of [
        [P, query],
        [P, excluded],
        ['empty', query],
      ] as const) {
        const error = await caught(() => store.query(perspective, 'default', q));
        expect(isWhizbangError(error, 'INVALID_QUERY')).toBe(true);
      }
    });
  });
}
