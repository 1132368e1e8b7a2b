/**
 * Live lenses pinned by time travel: a view's lens answers as of its position and never moves; the
 * traveler's lens answers as of where the traveler is, again on each move, and not when the ledger
 * grows; both fit the stores the UI bindings read.
 */
import { describe, expect, it } from 'vitest';
import { defineEvent, definePerspective, liveQuery, payload, whizbang } from '../../js/mod.ts';
import { timeTravel } from '../../js/timetravel/mod.ts';

const Priced = defineEvent('Priced', payload<{ sku: string; price: number }>());
const catalog = definePerspective({
  name: 'catalog',
  events: [Priced],
  key: (e) => e.data.sku,
  initial: () => ({ sku: '', price: 0 }),
  apply: (item, e) => ({ ...item, ...e.data }),
});
const other = definePerspective({
  name: 'other',
  events: [Priced],
  initial: () => ({ n: 0 }),
  apply: (m) => ({ n: m.n + 1 }),
});

const until = async (check: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
};
const tick = () => new Promise((r) => setTimeout(r, 10));

async function priced() {
  const app = whizbang().perspective(catalog).build();
  for (const price of [3, 4, 5]) await app.publish(Priced({ sku: 'A', price }), { stream: 'p' });
  await app.publish(Priced({ sku: 'B', price: 9 }), { stream: 'p' });
  return app;
}

describe('time travel pins live lenses', () => {
  it('a view’s lens answers as of its position, once', async () => {
    const app = await priced();
    const travel = timeTravel({ ledger: app.ledger, perspectives: [catalog] });
    const view = await travel.at(2);
    const lens = view.lens(catalog);
    expect(view.lens(catalog)).toBe(lens);
    expect(await lens.get('A')).toEqual({ sku: 'A', price: 4 });
    expect(await lens.query({ orderBy: { sku: 'asc' } })).toEqual([{ sku: 'A', price: 4 }]);
    const seen: unknown[] = [];
    const stop = lens.watch('A', (m) => seen.push(m));
    await travel.at(4); // the traveler moves on; the view stays where it was
    await app.publish(Priced({ sku: 'A', price: 7 }), { stream: 'p' });
    await tick();
    expect(seen).toEqual([{ sku: 'A', price: 4 }]);
    stop();
  });

  it('the traveler’s lens follows its moves, not the ledger', async () => {
    const app = await priced();
    const travel = timeTravel({ ledger: app.ledger, perspectives: [catalog] });
    await travel.at(1);
    const lens = travel.lens(catalog);
    expect(travel.lens(catalog)).toBe(lens); // one per perspective, as app.lens gives
    const prices: Array<number | undefined> = [];
    const skus: string[][] = [];
    const stopWatch = lens.watch('A', (m) => prices.push(m?.price));
    const stopLive = lens.live({ orderBy: { price: 'desc' } }, (ms) =>
      skus.push(ms.map((m) => m.sku)),
    );
    await until(() => prices.length === 1 && skus.length === 1, 'the first answers');
    expect(prices).toEqual([3]);
    await travel.next();
    await until(() => prices.length === 2, 'the step forward');
    await travel.at(4);
    await until(() => skus.length === 3, 'the jump'); // each answer of the query is a new list
    expect(skus).toEqual([['A'], ['A'], ['B', 'A']]);
    await app.publish(Priced({ sku: 'A', price: 1 }), { stream: 'p' }); // the ledger grows
    await tick();
    expect(prices).toEqual([3, 4, 5]);
    await travel.previous(); // back before B's price: the watched model is the same, no answer
    await until(() => skus.length === 4, 'the step back');
    expect(skus.at(-1)).toEqual(['A']);
    expect(prices).toEqual([3, 4, 5]);
    stopWatch();
    stopLive();
    await travel.at(1);
    await tick();
    expect(prices).toEqual([3, 4, 5]); // unsubscribed: told of no more moves
  });

  it('a pinned lens is what the stores take; a foreign perspective or a bad query is refused', async () => {
    const app = await priced();
    const travel = timeTravel({ ledger: app.ledger, perspectives: [catalog] });
    await travel.at(3);
    const store = liveQuery(travel.lens(catalog));
    const stop = store.subscribe(() => {});
    await until(() => !store.get().loading, 'the answer');
    expect(store.get().data).toEqual([{ sku: 'A', price: 5 }]);
    stop();
    expect(() => travel.lens(other)).toThrow(/not one this time traveler replays/);
    expect(() => travel.lens(catalog).live({ limit: -1 }, () => {})).toThrow(
      expect.objectContaining({ code: 'INVALID_QUERY' }),
    );
  });
});
