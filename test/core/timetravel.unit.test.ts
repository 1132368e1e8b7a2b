// @runtimes node deno bun
/** Time travel: models as of any position equal a rebuild up to it; checkpoints bound the reads. */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AccountOpened,
  accounts,
  createBank,
  Deposit,
  type MoneyDeposited,
  OpenAccount,
  Transfer,
  TransferCompleted,
  TransferFailed,
  TransferRequested,
  totals,
  transfers,
  Withdraw,
} from '../../examples/bank/domain.ts';
import {
  definePerspective,
  isWhizbangError,
  type Ledger,
  type MessageOf,
  memoryStore,
  type Perspective,
  type ReadAllOptions,
  type RecordedEvent,
} from '../../js/mod.ts';
import { applyEvents } from '../../js/runtime/project.ts';
import { diffValues, type TimeView, timeTravel } from '../../js/timetravel/mod.ts';

/** Transfers still under way: made on request, deleted when completed or failed. */
const pending = definePerspective({
  name: 'pending',
  events: [TransferRequested, TransferCompleted, TransferFailed],
  key: (e) => e.data.transferId,
  initial: () => ({ amount: 0 }),
  apply: (_m, e) => (e.type === 'TransferRequested' ? { amount: e.data.amount } : null),
});
/** Sees only openings: most events are not its business. */
const owners = definePerspective({
  name: 'owners',
  events: [AccountOpened],
  key: () => 'all',
  initial: () => ({ names: [] as string[] }),
  apply: (m, e) => ({ names: [...m.names, e.data.owner] }),
});

const TENANTS = ['acme', 'globex'] as const;

/** A bank with some history in two tenants: accounts, deposits, withdrawals, transfers that complete or fail. */
async function history(rounds = 12) {
  const app = createBank();
  for (const tenant of TENANTS) {
    for (const id of ['a-1', 'a-2', 'a-3']) {
      await app.send(
        OpenAccount({ accountId: id, owner: `${tenant} ${id}`, overdraftLimit: 100_000 }),
        {
          tenant,
        },
      );
    }
  }
  for (let i = 0; i < rounds; i++) {
    for (const tenant of TENANTS) {
      const scale = tenant === 'acme' ? 1 : 1000;
      const opts = { tenant };
      await app.send(Deposit({ accountId: `a-${(i % 3) + 1}`, amount: (i + 1) * scale }), opts);
      if (i % 3 === 1) await app.send(Withdraw({ accountId: 'a-1', amount: 2 * scale }), opts);
      const amount = i % 4 === 3 ? 1e9 : 3 * scale; // every fourth is declined
      await app.send(
        Transfer({
          transferId: `t-${i}`,
          from: `a-${(i % 3) + 1}`,
          to: `a-${((i + 1) % 3) + 1}`,
          amount,
        }),
        opts,
      );
    }
  }
  await app.waitForPerspectives();
  return app;
}

const ALL: Perspective<any, any>[] = [accounts, transfers, totals, pending, owners];

/** The reference: a fresh rebuild of the perspectives from the events up to `position`. */
async function rebuild(ledger: Ledger, position: number, tenant?: string) {
  const store = memoryStore();
  const events = await ledger.readAll({
    to: position,
    ...(tenant === undefined ? {} : { tenant }),
  });
  store.transaction((tx) => applyEvents(ALL, events, tx, position));
  return store;
}

const sorted = (models: Map<string, unknown>) =>
  [...models].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** The view holds exactly what a rebuild up to its position holds, for every perspective and tenant. */
async function expectRebuilt(ledger: Ledger, view: TimeView, tenant?: string) {
  const store = await rebuild(ledger, view.position, tenant);
  for (const p of ALL) {
    for (const t of tenant === undefined ? TENANTS : [tenant]) {
      const rows = store.query(p.name, t, {}) as Array<{ id: string; model: unknown }>;
      const expected = sorted(new Map(rows.map((r) => [r.id, r.model])));
      const where = `${p.name}/${t} at ${view.position}`;
      expect({ where, models: sorted(view.models(p, { tenant: t })) }).toEqual({
        where,
        models: expected,
      });
    }
  }
}

/** Counts readAll calls and the events they returned. */
function counting(inner: Ledger) {
  const reads: ReadAllOptions[] = [];
  let events = 0;
  const ledger: Ledger = {
    ...inner,
    readAll: async (options) => {
      reads.push(options ?? {});
      const list = await inner.readAll(options);
      events += list.length;
      return list;
    },
  };
  return {
    ledger,
    reads,
    take: () => {
      const out = { calls: reads.length, events };
      reads.length = 0;
      events = 0;
      return out;
    },
  };
}

describe('time travel', () => {
  it('gives the models at any position as a rebuild up to it would', async () => {
    const app = await history();
    const head = await app.ledger.headPosition();
    expect(head).toBeGreaterThan(100);
    const tt = timeTravel({
      ledger: app.ledger,
      perspectives: [...app.perspectives.values(), pending, owners],
      snapshotEvery: 16,
      batchSize: 7,
    });
    for (const position of [0, 1, 5, 37, head, 64, 63, 65, head - 1, 17, 200, 3]) {
      const view = await tt.at(Math.min(position, head));
      expect(view.position).toBe(Math.min(position, head));
      expect(tt.position).toBe(view.position);
      await expectRebuilt(app.ledger, view);
    }
    // beyond the head: the head
    expect((await tt.at(head + 50)).position).toBe(head);
    // at the head, the same as the app's own read models
    const now = await tt.at(head);
    for (const tenant of TENANTS) {
      for (const id of ['a-1', 'a-2', 'a-3']) {
        expect(now.get(accounts, id, { tenant })).toEqual(
          await app.lens(accounts).get(id, { tenant }),
        );
      }
      expect(now.get(totals, 'bank', { tenant })).toEqual(
        await app.lens(totals).get('bank', { tenant }),
      );
      expect(now.query(accounts, { tenant, orderBy: { balance: 'desc' } })).toEqual(
        await app.lens(accounts).query({ tenant, orderBy: { balance: 'desc' } }),
      );
    }
    expect(tt.checkpoints).toBe(Math.floor(head / 16));
    await app.close();
  });

  it('keeps a view as it was when the traveler moves on', async () => {
    const app = await history(3);
    const tt = timeTravel({ ledger: app.ledger, perspectives: ALL, snapshotEvery: 4 });
    const early = await tt.at(8);
    const before = sorted(early.models(accounts, { tenant: 'acme' }));
    await tt.at(await app.ledger.headPosition());
    await tt.at(2);
    expect(sorted(early.models(accounts, { tenant: 'acme' }))).toEqual(before);
    await expectRebuilt(app.ledger, tt.current());
    await app.close();
  });

  it('steps forward and back one event at a time', async () => {
    const app = await history(4);
    const head = await app.ledger.headPosition();
    const tt = timeTravel({ ledger: app.ledger, perspectives: ALL, snapshotEvery: 5 });
    const types = new Set(ALL.flatMap((p) => [...p.types]));
    const relevant = (await app.ledger.readAll()).filter((e) => types.has(e.type));
    const forward: number[] = [];
    for (let view = await tt.next(); view !== undefined; view = await tt.next()) {
      expect(view.event?.position).toBe(view.position);
      forward.push(view.position);
      await expectRebuilt(app.ledger, view);
    }
    expect(forward).toEqual(relevant.map((e) => e.position));
    expect(tt.position).toBe(relevant.at(-1)!.position);
    expect(await tt.next()).toBeUndefined(); // at the end it stays
    expect(tt.position).toBe(relevant.at(-1)!.position);
    const back: number[] = [];
    for (let view = await tt.previous(); view !== undefined; view = await tt.previous()) {
      back.push(view.position);
      await expectRebuilt(app.ledger, view);
    }
    expect(back).toEqual([0, ...relevant.slice(0, -1).map((e) => e.position)].reverse());
    expect(tt.position).toBe(0);
    expect(tt.current().event).toBeUndefined();
    // from a position between events: previous undoes the newest event at or before it
    const third = relevant[2]!.position;
    await tt.at(relevant[3]!.position - 1);
    expect((await tt.previous())?.position).toBe(relevant[1]!.position);
    expect((await tt.next())?.position).toBe(third);
    expect(head).toBeGreaterThanOrEqual(third);
    await app.close();
  });

  it('agrees with a rebuild after any sequence of moves', async () => {
    const app = await history(5);
    const head = await app.ledger.headPosition();
    const move = fc.oneof(
      fc.record({ op: fc.constant('at' as const), to: fc.integer({ min: 0, max: head + 3 }) }),
      fc.record({ op: fc.constantFrom('next' as const, 'previous' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(move, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(undefined, 'acme'),
        async (moves, snapshotEvery, batchSize, tenant) => {
          const tt = timeTravel({
            ledger: app.ledger,
            perspectives: ALL,
            snapshotEvery,
            batchSize,
            ...(tenant === undefined ? {} : { tenant }),
          });
          for (const m of moves) {
            if (m.op === 'at') await tt.at(m.to);
            else await tt[m.op]();
            await expectRebuilt(app.ledger, tt.current(), tenant);
          }
        },
      ),
      { numRuns: 40 },
    );
    await app.close();
  });

  it('diffs a model between two positions, leaving the traveler where it is', async () => {
    const app = await history(4);
    const head = await app.ledger.headPosition();
    const tt = timeTravel({ ledger: app.ledger, perspectives: ALL, snapshotEvery: 8 });
    await tt.at(10);
    type Deposited = RecordedEvent<MessageOf<typeof MoneyDeposited>>;
    const deposits = (
      (await app.ledger.readAll({ tenant: 'acme', types: ['MoneyDeposited'] })) as Deposited[]
    ).filter((e) => e.data.accountId === 'a-2' && e.data.transferId === undefined);
    const d = deposits[0]!;
    const diff = await tt.diff(accounts, 'a-2', d.position - 1, d.position, { tenant: 'acme' });
    const before = diff.before as { balance: number; movements: number };
    expect(diff).toMatchObject({ perspective: 'accounts', id: 'a-2', tenant: 'acme' });
    expect(diff.changes).toEqual([
      {
        kind: 'changed',
        path: ['balance'],
        before: before.balance,
        after: before.balance + d.data.amount,
      },
      {
        kind: 'changed',
        path: ['movements'],
        before: before.movements,
        after: before.movements + 1,
      },
    ]);
    expect(tt.position).toBe(10);
    // from nothing: one addition; backwards works too
    const opened = (await tt.diff(accounts, 'a-3', 0, head, { tenant: 'globex' })).changes;
    expect(opened).toEqual([
      {
        kind: 'added',
        path: [],
        after: (await app.lens(accounts).get('a-3', { tenant: 'globex' }))!,
      },
    ]);
    expect((await tt.diff(accounts, 'a-3', head, 0, { tenant: 'globex' })).changes[0]?.kind).toBe(
      'removed',
    );
    // a deleted model: a pending transfer goes away when it completes
    const requested = (
      await app.ledger.readAll({ tenant: 'acme', types: ['TransferRequested'] })
    )[0]!;
    const gone = await tt.diff(pending, 't-0', requested.position, head, { tenant: 'acme' });
    expect(gone.before).toEqual({ amount: 3 });
    expect(gone.after).toBeUndefined();
    expect(gone.changes).toEqual([{ kind: 'removed', path: [], before: { amount: 3 } }]);
    // nested values
    expect((await tt.diff(owners, 'all', 0, 0)).changes).toEqual([]);
    expect(
      diffValues(
        { a: [1, { b: 2 }], m: new Map([['k', 1]]) },
        { a: [1, { b: 3 }, 4], m: new Map([['j', 1]]), n: null },
      ),
    ).toEqual([
      { kind: 'changed', path: ['a', 1, 'b'], before: 2, after: 3 },
      { kind: 'added', path: ['a', 2], after: 4 },
      { kind: 'removed', path: ['m', 'k'], before: 1 },
      { kind: 'added', path: ['m', 'j'], after: 1 },
      { kind: 'added', path: ['n'], after: null },
    ]);
    expect(diffValues(new Date(5), new Date(5))).toEqual([]);
    expect(diffValues([1], { 0: 1 })).toEqual([
      { kind: 'changed', path: [], before: [1], after: { 0: 1 } },
    ]);
    expect(tt.position).toBe(10);
    await app.close();
  });

  it('reads at most one checkpoint interval for a far jump or a step back', async () => {
    const app = createBank();
    await app.send(OpenAccount({ accountId: 'a', owner: 'Ada' }));
    for (let i = 0; i < 2500; i++) await app.send(Deposit({ accountId: 'a', amount: 1 }));
    const head = await app.ledger.headPosition();
    const every = 100;
    const batchSize = 40;
    const counted = counting(app.ledger);
    const tt = timeTravel({
      ledger: counted.ledger,
      perspectives: [accounts],
      snapshotEvery: every,
      batchSize,
    });
    await tt.at(head); // the first pass replays everything once and leaves checkpoints behind
    expect(counted.take().events).toBe(head);
    expect(tt.checkpoints).toBe(Math.floor(head / every));
    const bounded = () => {
      const { calls, events } = counted.take();
      expect(events).toBeLessThan(every);
      expect(calls).toBeLessThanOrEqual(Math.ceil(every / batchSize) + 1);
    };
    await tt.at(0);
    const far = await tt.at(2345);
    bounded();
    expect(far.get(accounts, 'a')).toMatchObject({ balance: 2344, movements: 2344 });
    expect((await tt.previous())?.position).toBe(2344);
    bounded();
    expect((await tt.at(17))?.get(accounts, 'a')).toMatchObject({ balance: 16 });
    bounded();
    await tt.diff(accounts, 'a', 2399, 1234);
    const diffed = counted.take();
    expect(diffed.events).toBeLessThan(2 * every);
    // no checkpoints: a step back is a replay from the start
    const plain = counting(app.ledger);
    const slow = timeTravel({ ledger: plain.ledger, perspectives: [accounts], snapshotEvery: 0 });
    await slow.at(2345);
    plain.take();
    await slow.previous();
    expect(plain.take().events).toBe(2344);
    expect(slow.checkpoints).toBe(0);
    // every read was of the perspectives' event types only
    for (const read of [...counted.reads, ...plain.reads]) {
      expect(read.types).toEqual(['AccountOpened', 'MoneyDeposited', 'MoneyWithdrawn']);
    }
    await app.close();
  });

  it('sees only its tenant', async () => {
    const app = await history(6);
    const counted = counting(app.ledger);
    const tt = timeTravel({
      ledger: counted.ledger,
      perspectives: ALL,
      tenant: 'acme',
      snapshotEvery: 10,
    });
    const head = await app.ledger.headPosition();
    const view = await tt.at(head);
    await expectRebuilt(app.ledger, view, 'acme');
    const acme = await app.lens(accounts).get('a-1', { tenant: 'acme' });
    const globex = await app.lens(accounts).get('a-1', { tenant: 'globex' });
    expect(acme).not.toEqual(globex);
    expect(view.get(accounts, 'a-1')).toEqual(acme);
    expect(view.get(accounts, 'a-1', { tenant: 'acme' })).toEqual(acme);
    expect(() => view.get(accounts, 'a-1', { tenant: 'globex' })).toThrow(/only tenant "acme"/);
    expect(() => view.models(accounts, { tenant: 'default' })).toThrow();
    await expect(tt.diff(accounts, 'a-1', 0, head, { tenant: 'globex' })).rejects.toSatisfy(
      (e: unknown) => isWhizbangError(e, 'INVALID_ARGUMENT'),
    );
    for (
      let v = await tt.previous();
      v !== undefined && v.position > head - 60;
      v = await tt.previous()
    ) {
      expect(v.event?.tenant).toBe('acme');
      for (const [, model] of v.models(accounts)) {
        expect((model as { owner: string }).owner).toMatch(/^acme /);
      }
    }
    expect(counted.reads.length).toBeGreaterThan(0);
    for (const read of counted.reads) expect(read.tenant).toBe('acme');
    // without a tenant, each tenant's models are apart
    const all = await timeTravel({ ledger: app.ledger, perspectives: ALL }).at(head);
    expect(all.get(accounts, 'a-1', { tenant: 'globex' })).toEqual(globex);
    expect(all.get(accounts, 'a-1')).toBeUndefined(); // the default tenant has none
    await app.close();
  });

  it('refuses what it cannot do, and says how to fix it', async () => {
    const app = await history(1);
    const tt = timeTravel({ ledger: app.ledger, perspectives: [accounts] });
    const invalid = (e: unknown) => isWhizbangError(e, 'INVALID_ARGUMENT');
    await expect(tt.at(-1)).rejects.toSatisfy(invalid);
    await expect(tt.at(1.5)).rejects.toSatisfy(invalid);
    expect(() => tt.current().get(transfers, 't-0')).toThrow(/not one this time traveler replays/);
    await expect(tt.diff(transfers, 't-0', 0, 1)).rejects.toSatisfy(invalid);
    expect(() => timeTravel({ ledger: app.ledger, perspectives: [] })).toThrow(/at least one/);
    expect(() => timeTravel({ ledger: app.ledger, perspectives: [accounts, accounts] })).toThrow(
      /two perspectives named "accounts"/,
    );
    expect(() =>
      timeTravel({ ledger: app.ledger, perspectives: [accounts], snapshotEvery: -1 }),
    ).toThrow(/snapshotEvery/);
    // a perspective that throws fails the move, and the traveler stays where it was
    let fail = true;
    const fragile = definePerspective({
      name: 'fragile',
      events: [AccountOpened],
      initial: () => ({ n: 0 }),
      apply: (m, e) => {
        if (fail && e.position > 3) throw new Error('boom');
        return { n: m.n + 1 };
      },
    });
    const ft = timeTravel({ ledger: app.ledger, perspectives: [fragile, accounts] });
    const three = await ft.at(3);
    const failed = (e: unknown) => isWhizbangError(e, 'HANDLER_FAILED');
    await expect(ft.at(5)).rejects.toSatisfy(failed);
    await expect(ft.next()).rejects.toSatisfy(failed);
    expect(ft.position).toBe(3);
    expect(ft.current()).toBe(three);
    fail = false;
    expect((await ft.next())?.position).toBe(4);
    const reference = await timeTravel({ ledger: app.ledger, perspectives: [accounts] }).at(4);
    expect(sorted(ft.current().models(accounts, { tenant: 'acme' }))).toEqual(
      sorted(reference.models(accounts, { tenant: 'acme' })),
    );
    expect(ft.current().get(fragile, 'account-a-1', { tenant: 'acme' })).toEqual({ n: 1 });
    await app.close();
  });
});
