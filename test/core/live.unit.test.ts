import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { accounts, createBank, Deposit, OpenAccount } from '../../examples/bank/domain.ts';
import { memoryLedger } from '../../js/memory/ledger.ts';
import { type Driver, memoryDriver } from '../../js/mod.ts';
import { offlineDriver } from '../../js/sync/driver.ts';
import { startSync } from '../../js/sync/engine.ts';

const until = async (check: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
};

/** A memory driver that counts lens reads of `accounts` and open ledger watchers. */
function counted(): { driver: Driver; reads: () => number; watchers: () => number } {
  const inner = memoryDriver();
  let reads = 0;
  let watchers = 0;
  const store = Object.create(inner.store) as Driver['store'];
  Object.assign(store, {
    query: (p: string, t: string, q: object) => {
      if (p === 'accounts') reads++;
      return inner.store.query(p, t, q);
    },
  });
  const ledger = Object.create(inner.ledger) as Driver['ledger'];
  Object.assign(ledger, {
    watch: (listener: () => void) => {
      watchers++;
      const stop = inner.ledger.watch(listener);
      return () => {
        watchers--;
        stop();
      };
    },
  });
  return {
    driver: { name: 'counted', ledger, store },
    reads: () => reads,
    watchers: () => watchers,
  };
}

describe('live lenses', () => {
  it('re-read a query only for a change to a model it could include', async () => {
    const { driver, reads } = counted();
    const bank = createBank({ driver });
    await bank.send(OpenAccount({ accountId: 'rich', owner: 'Ada' }));
    await bank.send(Deposit({ accountId: 'rich', amount: 1_000 }));
    const seen: number[][] = [];
    const stop = bank
      .lens(accounts)
      .live({ where: { balance: { gte: 500 } } }, (rows) => seen.push(rows.map((r) => r.balance)));
    await until(() => seen.length === 1, 'first answer');
    const before = reads();
    for (let i = 0; i < 20; i++)
      await bank.send(OpenAccount({ accountId: `poor-${i}`, owner: 'Bo' }));
    await new Promise((r) => setTimeout(r, 10));
    expect(reads()).toBe(before); // none of those could enter the answer
    await bank.send(Deposit({ accountId: 'rich', amount: 1 })); // in the answer
    await bank.send(Deposit({ accountId: 'poor-3', amount: 700 })); // enters it
    await until(() => seen.length === 3, 'two changes');
    expect(seen.at(-1)).toEqual([700, 1_001]); // in id order, as every driver answers
    stop();
    await bank.close();
  });

  it('leave no watcher behind after unsubscribe or close, and report a throwing listener', async () => {
    const { driver, watchers } = counted();
    const bank = createBank({ driver });
    await bank.waitForPerspectives();
    const base = watchers(); // the async perspective's subscription
    const errors: unknown[] = [];
    const stops = [1, 2, 3].map((i) =>
      bank.lens(accounts).watch(
        `a${i}`,
        () => {
          throw new Error(`listener ${i}`);
        },
        { onError: (e) => errors.push(e) },
      ),
    );
    expect(watchers()).toBe(base + 1);
    await until(() => errors.length === 3, 'three listener errors');
    for (const stop of stops) stop();
    expect(watchers()).toBe(base);
    bank.lens(accounts).watch('a1', () => undefined);
    bank.lens(accounts).live({}, () => undefined);
    expect(watchers()).toBe(base + 1);
    await bank.close();
    expect(watchers()).toBe(0);
    expect(String(errors[0])).toMatch(/listener 1/);
  });

  describe('with offline sync', () => {
    const dir = mkdtempSync(join(tmpdir(), 'whizbang-live-'));
    let n = 0;
    const replica = () => offlineDriver(sqliteDriver({ path: join(dir, `r${++n}.db`) }));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('hear pulled events and a replaced tail', async () => {
      const remote = memoryLedger();
      const a = createBank({ driver: replica() });
      const b = createBank({ driver: replica() });
      const syncA = startSync(a, { remote });
      const syncB = startSync(b, { remote });
      await a.send(OpenAccount({ accountId: 'acc', owner: 'Ada' }));
      await syncA.run();
      const balances: Array<number | undefined> = [];
      const stop = b.lens(accounts).watch('acc', (m) => balances.push(m?.balance));
      await syncB.run(); // pulled
      await until(() => balances.at(-1) === 0, 'the pulled account');
      await b.send(Deposit({ accountId: 'acc', amount: 5 })); // local, pending
      await until(() => balances.at(-1) === 5, 'the local deposit');
      await a.send(Deposit({ accountId: 'acc', amount: 7 }));
      await syncA.run();
      await syncB.run(); // b's deposit is displaced by a's, then decided again on top of it
      await until(() => balances.at(-1) === 12, 'the rebased deposit');
      expect(balances[0]).toBeUndefined();
      stop();
      await syncA.stop();
      await syncB.stop();
      await a.close();
      await b.close();
    });
  });
});
