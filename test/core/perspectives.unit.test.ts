// @runtimes node deno bun
import { describe, expect, it } from 'vitest';
import {
  accounts,
  createBank,
  Deposit,
  OpenAccount,
  totals,
  Withdraw,
} from '../../examples/bank/domain.ts';
import {
  type Driver,
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  defineState,
  isConcurrencyError,
  isWhizbangError,
  memoryDriver,
  payload,
  whizbang,
} from '../../js/mod.ts';
import { asyncDriver } from '../support/async-driver.ts';

const drivers: Array<[string, () => Driver]> = [
  ['memory', () => memoryDriver()],
  ['async', () => asyncDriver(memoryDriver())],
];

// A small list domain: items added, renamed, removed (delete from the read model).
const Add = defineCommand(
  'Add',
  payload<{ list: string; id: string; name: string; price: number }>(),
);
const Remove = defineCommand('Remove', payload<{ list: string; id: string }>());
const Added = defineEvent(
  'Added',
  payload<{ list: string; id: string; name: string; price: number }>(),
);
const Removed = defineEvent('Removed', payload<{ list: string; id: string }>());
const add = defineReceptor({
  command: Add,
  stream: (c) => `list-${c.data.list}`,
  handle: (c) => Added(c.data),
});
const remove = defineReceptor({
  command: Remove,
  stream: (c) => `list-${c.data.list}`,
  handle: (c) => Removed(c.data),
});
const items = definePerspective({
  name: 'items',
  events: [Added, Removed],
  key: (e) => e.data.id, // partitioned by item across list streams
  initial: () => ({ id: '', name: '', price: 0, tags: [] as string[] }),
  apply: (m, e) =>
    e.type === 'Removed'
      ? null
      : { ...m, id: e.data.id, name: e.data.name, price: e.data.price, tags: [e.data.list] },
});
const lists = definePerspective({
  name: 'lists',
  events: [Added, Removed],
  initial: () => ({ count: 0 }),
  apply: (m, e) => ({ count: m.count + (e.type === 'Added' ? 1 : -1) }),
});

for (const [driverName, makeDriver] of drivers) {
  describe(`perspectives and lenses on a ${driverName} driver`, () => {
    const shop = async () => {
      const app = whizbang('shop')
        .receptor(add)
        .receptor(remove)
        .perspective(items)
        .perspective(lists)
        .build({ driver: makeDriver() });
      const goods = [
        ['1', 'apple', 3],
        ['2', 'bread', 5],
        ['3', 'cheese', 12],
        ['4', 'dates', 8],
      ] as const;
      for (const [id, name, price] of goods)
        await app.send(Add({ list: id === '4' ? 'b' : 'a', id, name, price }));
      return app;
    };

    it('keeps single-stream and partitioned models, and deletes on null', async () => {
      const app = await shop();
      expect(await app.lens(lists).get('list-a')).toEqual({ count: 3 });
      expect(await app.lens(items).get('2')).toMatchObject({ name: 'bread', tags: ['a'] });
      await app.send(Remove({ list: 'a', id: '2' }));
      expect(await app.lens(items).get('2')).toBeUndefined();
      expect(await app.lens(lists).get('list-a')).toEqual({ count: 2 });
      await app.close();
    });

    it('queries a lens with a filter, a sort and a page', async () => {
      const app = await shop();
      const lens = app.lens(items);
      const names = async (q: Parameters<typeof lens.query>[0]) =>
        (await lens.query(q)).map((m) => m.name);
      expect(await names({ where: { price: { gte: 5 } }, orderBy: { price: 'desc' } })).toEqual([
        'cheese',
        'dates',
        'bread',
      ]);
      expect(await names({ orderBy: { name: 'asc' }, limit: 2, offset: 1 })).toEqual([
        'bread',
        'cheese',
      ]);
      expect(await names({ where: { tags: { contains: 'b' } } })).toEqual(['dates']);
      expect(
        await names({ where: { name: { in: ['apple', 'dates'] } }, orderBy: [{ price: 'asc' }] }),
      ).toEqual(['apple', 'dates']);
      await expect(lens.query({ where: { price: { near: 3 } as never } })).rejects.toSatisfy(
        (e: unknown) => isWhizbangError(e, 'INVALID_QUERY'),
      );
      await app.close();
    });

    it('rolls the append back when an inline perspective throws', async () => {
      const Bad = defineEvent('Bad', payload<{ n: number }>());
      const Make = defineCommand('Make', payload<{ n: number }>());
      const fragile = definePerspective({
        name: 'fragile',
        events: [Bad],
        initial: () => ({ n: 0 }),
        apply: (_m, e) => {
          if (e.data.n < 0) throw new Error('negative');
          return { n: e.data.n };
        },
      });
      const app = whizbang()
        .receptor(
          defineReceptor({ command: Make, stream: () => 'bad', handle: (c) => Bad(c.data) }),
        )
        .perspective(fragile)
        .build({ driver: makeDriver() });
      await app.send(Make({ n: 1 }));
      const error = await app.send(Make({ n: -1 })).catch((e: unknown) => e);
      expect(isWhizbangError(error, 'HANDLER_FAILED')).toBe(true);
      expect(String(error)).toMatch(/Perspective "fragile" failed to apply "Bad".*negative/);
      expect(await app.ledger.streamVersion('bad')).toBe(1);
      expect(await app.lens(fragile).get('bad')).toEqual({ n: 1 });
      await app.send(Make({ n: 2 })); // the app keeps serving
      expect(await app.lens(fragile).get('bad')).toEqual({ n: 2 });
      await app.close();
    });

    it('resolves localInvokeAndSync once async perspectives have caught up', async () => {
      const bank = createBank({ driver: makeDriver() });
      await bank.localInvokeAndSync(OpenAccount({ accountId: 'a', owner: 'Ada' }));
      expect(await bank.lens(totals).get('bank')).toEqual({
        accounts: 1,
        deposited: 0,
        withdrawn: 0,
      });
      await bank.localInvokeAndSync(Deposit({ accountId: 'a', amount: 10 }));
      expect(await bank.lens(totals).get('bank')).toMatchObject({ deposited: 10 });
      await bank.send(Withdraw({ accountId: 'a', amount: 4 }));
      await bank.waitForPerspectives();
      expect(await bank.lens(totals).get('bank')).toMatchObject({ withdrawn: 4 });
      expect(await bank.store.checkpoint('totals')).toBe(await bank.ledger.headPosition());
      await bank.close();
    });

    it('rebuilds inline and async perspectives from the ledger', async () => {
      const bank = createBank({ driver: makeDriver() });
      await bank.send(OpenAccount({ accountId: 'a', owner: 'Ada' }));
      await bank.send(Deposit({ accountId: 'a', amount: 7 }));
      await bank.waitForPerspectives();
      await bank.store.transaction((tx) =>
        tx.put('accounts', {
          id: 'a',
          tenant: 'default',
          model: { balance: -999 },
          version: 1,
          position: 1,
          updatedAt: 0,
        }),
      );
      await bank.store.transaction((tx) =>
        tx.put('totals', {
          id: 'bank',
          tenant: 'default',
          model: { accounts: 99 },
          version: 1,
          position: 1,
          updatedAt: 0,
        }),
      );
      await bank.rebuild(accounts);
      await bank.rebuild(totals);
      expect(await bank.lens(accounts).get('a')).toMatchObject({ balance: 7, movements: 1 });
      expect(await bank.lens(totals).get('bank')).toEqual({
        accounts: 1,
        deposited: 7,
        withdrawn: 0,
      });
      // and both keep going afterwards
      await bank.localInvokeAndSync(Deposit({ accountId: 'a', amount: 1 }));
      expect(await bank.lens(accounts).get('a')).toMatchObject({ balance: 8 });
      expect(await bank.lens(totals).get('bank')).toMatchObject({ deposited: 8 });
      await expect(bank.rebuild(items)).rejects.toThrow(/not registered/);
      await bank.close();
    });

    it('sees events written to the ledger by someone else before deciding', async () => {
      const driver = makeDriver();
      const bank = createBank({ driver });
      await bank.send(OpenAccount({ accountId: 'a', owner: 'Ada' }));
      await bank.send(Deposit({ accountId: 'a', amount: 5 })); // state now cached at version 2
      await driver.ledger.append('account-a', [
        { type: 'MoneyDeposited', data: { accountId: 'a', amount: 100 } },
      ]);
      await bank.send(Withdraw({ accountId: 'a', amount: 105 })); // only possible with the outside deposit folded in
      await expect(bank.send(Withdraw({ accountId: 'a', amount: 1 }))).rejects.toThrow(/overdraft/);
      await bank.close();
    });
  });
}

describe('optimistic concurrency of stateful receptors', () => {
  const Count = defineState<{ n: number }, ReturnType<typeof Counted>>({
    initial: () => ({ n: 0 }),
    evolve: (s) => ({ n: s.n + 1 }),
  });
  const Bump = defineCommand('Bump', payload<{ id: string }>());
  const Counted = defineEvent('Counted', payload<{ id: string; n: number }>());

  it('retries a decision when another writer got there first', async () => {
    const bump = defineReceptor({
      command: Bump,
      stream: (c) => c.data.id,
      state: Count,
      decide: (c, s) => Counted({ id: c.data.id, n: s.n + 1 }),
      maxRetries: 10,
    });
    const app = whizbang()
      .receptor(bump)
      .build({ driver: asyncDriver(memoryDriver()) });
    const receipts = await Promise.all(
      Array.from({ length: 6 }, () => app.send(Bump({ id: 'c' }))),
    );
    const events = await app.ledger.readStream('c');
    expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.map((e) => (e.data as { n: number }).n)).toEqual([1, 2, 3, 4, 5, 6]); // each decided on the state it was appended after
    const retries = receipts
      .flatMap((r) => r.envelope.hops.flatMap((h) => h.decisions))
      .filter((d) => d.decision === 'retry');
    expect(retries.length).toBeGreaterThan(0);
    expect(retries[0]).toMatchObject({ policy: 'concurrency' });
  });

  it('gives up after maxRetries with a ConcurrencyError carrying both versions', async () => {
    const bump = defineReceptor({
      command: Bump,
      stream: (c) => c.data.id,
      state: Count,
      decide: (c, s) => Counted({ id: c.data.id, n: s.n + 1 }),
      maxRetries: 0,
    });
    const app = whizbang()
      .receptor(bump)
      .build({ driver: asyncDriver(memoryDriver()) });
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => app.send(Bump({ id: 'c' }))),
    );
    const rejected = results
      .filter((r) => r.status === 'rejected')
      .map((r) => (r as PromiseRejectedResult).reason);
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every(isConcurrencyError)).toBe(true);
    expect(rejected[0]).toMatchObject({
      streamId: 'c',
      expected: expect.any(Number),
      actual: expect.any(Number),
    });
    expect(await app.ledger.streamVersion('c')).toBe(results.length - rejected.length);
  });
});
