/**
 * The framework-neutral stores: Svelte's store contract (the value at once, then each change, an
 * unsubscribe) with a getter, over live lenses (`liveModel`, `liveQuery`) and sends
 * (`commandStore`); a lens opens with the first subscriber and closes with the last.
 */
import { describe, expect, it } from 'vitest';
import { accounts, createBank, Deposit, OpenAccount } from '../../examples/bank/domain.ts';
import {
  commandStore,
  type LiveState,
  liveModel,
  liveQuery,
  memoryDriver,
  writable,
} from '../../js/mod.ts';

const until = async (check: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
};

/** A memory driver whose ledger counts the watchers open on it (the memory store has no watch). */
function watched() {
  const driver = memoryDriver();
  let open = 0;
  const watch = driver.ledger.watch!.bind(driver.ledger);
  driver.ledger.watch = (listener) => {
    open++;
    const stop = watch(listener);
    return () => {
      open--;
      stop();
    };
  };
  return { driver, open: () => open };
}

describe('readable stores', () => {
  it('a writable calls a subscriber at once, then on each different value, until it unsubscribes', () => {
    const store = writable(1);
    const seen: number[] = [];
    const stop = store.subscribe((v) => seen.push(v));
    store.set(2);
    store.set(2);
    stop();
    store.set(3);
    expect(seen).toEqual([1, 2]);
    expect(store.get()).toBe(3);
  });

  it('liveModel: loading, then the model, then its changes; the lens is open only while subscribed', async () => {
    const { driver, open } = watched();
    const bank = createBank({ driver });
    const lens = bank.lens(accounts);
    expect(bank.lens(accounts)).toBe(lens); // one lens per perspective: a key for a UI's memo
    const base = open();
    const store = liveModel(lens, 'a-1');
    expect(store.get()).toEqual({ data: undefined, loading: true, error: undefined });
    expect(open()).toBe(base); // made, not opened
    const seen: LiveState<unknown>[] = [];
    const stop = store.subscribe((s) => seen.push(s));
    expect(seen).toHaveLength(1); // at once, as Svelte's contract asks
    await until(() => store.get().loading === false, 'the first answer');
    expect(store.get().data).toBeUndefined();
    await bank.send(OpenAccount({ accountId: 'a-1', owner: 'Ada' }));
    await bank.send(Deposit({ accountId: 'a-1', amount: 10 }));
    await until(() => (store.get().data as { balance?: number })?.balance === 10, 'the deposit');
    expect(store.get().data).toMatchObject({ owner: 'Ada', balance: 10 });
    const before = store.get();
    expect(store.get()).toBe(before); // the same object until it changes
    await bank.send(Deposit({ accountId: 'a-1', amount: 5 }));
    await until(() => store.get() !== before, 'the deposit');
    expect(store.get().data).toMatchObject({ balance: 15 });
    expect(seen.at(-1)).toBe(store.get());
    const during = open();
    stop();
    expect(open()).toBe(during - 1);
    await bank.close();
  });

  it('liveQuery: two subscribers share one live query; it closes when the last goes', async () => {
    const { driver, open } = watched();
    const bank = createBank({ driver });
    const store = liveQuery(bank.lens(accounts), { orderBy: { owner: 'asc' } });
    const owners = () => (store.get().data ?? []).map((a) => (a as { owner: string }).owner);
    const a: unknown[] = [];
    const b: unknown[] = [];
    const stopA = store.subscribe((s) => a.push(s));
    const stopB = store.subscribe((s) => b.push(s));
    await until(() => !store.get().loading, 'the first answer');
    await bank.send(OpenAccount({ accountId: 'b', owner: 'Bob' }));
    await bank.send(OpenAccount({ accountId: 'a', owner: 'Ada' }));
    await until(() => owners().length === 2, 'both accounts');
    expect(owners()).toEqual(['Ada', 'Bob']);
    expect(a.at(-1)).toBe(b.at(-1));
    const during = open(); // with the async perspective `totals`, which watches the ledger too
    stopA();
    expect(open()).toBe(during);
    stopB();
    expect(open()).toBe(during - 1);
    await bank.close();
  });

  it('a refused query is the state’s error, not a throw from subscribe', () => {
    const bank = createBank({ driver: memoryDriver() });
    const store = liveQuery(bank.lens(accounts), { limit: -1 });
    const stop = store.subscribe(() => {});
    expect(store.get().loading).toBe(false);
    expect(store.get().error).toMatchObject({ code: 'INVALID_QUERY' });
    stop();
  });

  it('a subscriber that throws goes to onError; the others are still called', async () => {
    const errors: unknown[] = [];
    const store = writable(0, undefined, { onError: (e) => errors.push(e) });
    const seen: number[] = [];
    store.subscribe(() => {
      throw new Error('boom');
    });
    store.subscribe((v) => seen.push(v));
    store.set(1);
    expect(seen).toEqual([0, 1]);
    expect(errors).toHaveLength(2);
  });

  it('commandStore: pending while a send is under way, then its receipt or its error', async () => {
    const bank = createBank({ driver: memoryDriver() });
    const sends = commandStore(bank);
    const states: boolean[] = [];
    const stop = sends.subscribe((s) => states.push(s.pending));
    const sent = sends.send(OpenAccount({ accountId: 'x', owner: 'Xi' }));
    expect(sends.get().pending).toBe(true);
    const receipt = await sent;
    expect(receipt?.status).toBe('handled');
    expect(sends.get()).toMatchObject({ pending: false, error: undefined, receipt });
    // a refused command: the error is the state, and send resolves (no rejection to catch)
    expect(await sends.send(Deposit({ accountId: 'x', amount: -5 }))).toBeUndefined();
    expect(sends.get().error).toBeInstanceOf(Error);
    expect(sends.get().receipt).toBeUndefined();
    sends.reset();
    expect(sends.get()).toMatchObject({ pending: false, error: undefined });
    expect(states).toEqual([false, true, false, true, false, false]);
    stop();
    await bank.close();
  });
});
