/**
 * The tests of `scopedLens` on one store: each read form answers only the models the perspective's
 * `scope` gives the principal, in their tenant; the scope joins the query's own filter (and so
 * goes down to the store with it), and the live forms follow changes through it.
 */
import { describe, expect, it } from 'vitest';
import {
  type Driver,
  defineEvent,
  definePerspective,
  isWhizbangError,
  type Principal,
  payload,
  scopedLens,
} from '../../js/mod.ts';
import {
  AddItem,
  CreateList,
  type ListModel,
  lists,
  listsApp,
  ShareList,
} from '../support/shared-lists.ts';

const ann: Principal = { userId: 'ann', tenant: 'acme' };
const bob: Principal = { userId: 'bob', tenant: 'acme' };
const eve: Principal = { userId: 'eve', tenant: 'acme' };

/** Ann's lists a and b, Bob's c (shared with Ann), and a list of Eve's in another tenant. */
async function seeded(driver: Driver | Promise<Driver>) {
  const app = listsApp(await driver);
  await app.send(CreateList({ listId: 'a', title: 'Groceries', owner: 'ann' }), { principal: ann });
  await app.send(CreateList({ listId: 'b', title: 'Books', owner: 'ann' }), { principal: ann });
  await app.send(CreateList({ listId: 'c', title: 'Camping', owner: 'bob' }), { principal: bob });
  await app.send(ShareList({ listId: 'c', with: 'ann' }), { principal: bob });
  await app.send(CreateList({ listId: 'x', title: 'Xmas', owner: 'eve' }), {
    principal: { userId: 'eve', tenant: 'globex' },
  });
  return app;
}

const ids = (models: readonly ListModel[]): string[] => models.map((m) => m.listId);

/** The scoped lens's tests on the store `driver()` makes. */
export function scopedLensSuite(name: string, driver: () => Driver | Promise<Driver>): void {
  describe(`a lens scoped by principal on ${name}`, () => {
    it('answers get, query, first, count and page with the principal’s models only', async () => {
      const app = await seeded(driver());
      const anns = scopedLens(app, lists, ann);
      const bobs = scopedLens(app, lists, bob);
      expect(ids(await anns.query({ orderBy: { title: 'asc' } }))).toEqual(['b', 'c', 'a']);
      expect(ids(await bobs.query())).toEqual(['c']);
      expect(await scopedLens(app, lists, eve).query()).toEqual([]);
      expect((await anns.get('c'))?.title).toBe('Camping');
      expect(await bobs.get('a')).toBeUndefined();
      expect(await bobs.get('x')).toBeUndefined();
      expect(await anns.count()).toBe(3);
      expect(await bobs.count({ where: { owner: 'ann' } })).toBe(0);
      // the query's own filter and the scope both hold
      expect(ids(await anns.query({ where: { owner: 'ann' }, orderBy: { title: 'asc' } }))).toEqual(
        ['b', 'a'],
      );
      expect((await anns.first({ where: { owner: 'bob' } }))?.listId).toBe('c');
      const first = await anns.page({ orderBy: { title: 'asc' }, limit: 2 });
      expect(ids(first.models)).toEqual(['b', 'c']);
      const second = await anns.page({ orderBy: { title: 'asc' }, limit: 2, after: first.next });
      expect(ids(second.models)).toEqual(['a']);
      expect(second.next).toBeUndefined();
      await app.close();
    });

    it('refuses another tenant than the principal’s, and a perspective without a scope', async () => {
      const app = await seeded(driver());
      const anns = scopedLens(app, lists, ann);
      const forbidden = (e: unknown) => isWhizbangError(e, 'FORBIDDEN');
      await expect(anns.query({ tenant: 'globex' })).rejects.toSatisfy(forbidden);
      await expect(anns.get('x', { tenant: 'globex' })).rejects.toSatisfy(forbidden);
      await expect(anns.count({ tenant: 'globex' })).rejects.toSatisfy(forbidden);
      expect(() => anns.live({ tenant: 'globex' }, () => undefined)).toThrow(/may not read/);
      const Noted = defineEvent('ListCreated', payload<{ listId: string }>());
      const open = definePerspective({
        name: 'open',
        events: [Noted],
        initial: () => ({}),
        apply: (m) => m,
      });
      expect(() => scopedLens(app, open, ann)).toThrow(/has no `scope`/);
      expect(() => scopedLens(app, lists, { userId: 'ann' } as never)).toThrow(/tenant/);
      await app.close();
    });

    it('follows changes live, through the scope', async () => {
      const app = await seeded(driver());
      const seen: string[][] = [];
      const counts: number[] = [];
      const watched: Array<string | undefined> = [];
      const bobs = scopedLens(app, lists, bob);
      const stop = [
        bobs.live({ orderBy: { title: 'asc' } }, (m) => seen.push(ids(m))),
        bobs.liveCount({}, (n) => counts.push(n)),
        bobs.watch('a', (m) => watched.push(m?.items.join(','))),
      ];
      const settled = async (check: () => void) => {
        for (let i = 0; i < 100; i++) {
          try {
            check();
            return;
          } catch {
            await new Promise((r) => setTimeout(r, 10));
          }
        }
        check();
      };
      await settled(() => expect(seen).toEqual([['c']]));
      // a change Bob may not see: nothing new for him
      await app.send(AddItem({ listId: 'a', text: 'milk' }), { principal: ann });
      await app.send(ShareList({ listId: 'a', with: 'bob' }), { principal: ann });
      await settled(() => expect(seen).toEqual([['c'], ['c', 'a']]));
      await settled(() => expect(counts).toEqual([1, 2]));
      await settled(() => expect(watched).toEqual([undefined, 'milk']));
      for (const s of stop) s();
      await app.close();
    });
  });
}
