/**
 * The page of `lens.live.latency.tabs` (bundled and opened twice by live-tabs.bench.ts): one tab
 * keeps a live lens open on an account, the other deposits into it; both stamp times on the
 * clock the tabs share (`performance.timeOrigin + performance.now()`), so the bench can pair each
 * commit with the answer it caused.
 */
import { indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import { accounts, createBank, Deposit, OpenAccount } from '../../examples/bank/domain.ts';
import type { Whizbang } from '../../js/mod.ts';

const now = (): number => performance.timeOrigin + performance.now();
let bank: Whizbang<any, any> | undefined;
let stop: (() => void) | undefined;
let heard: Array<{ readonly balance: number; readonly at: number }> = [];

/** Opens database `name` and a live lens on the account `tab`; resolves on its first answer. */
async function listen(name: string): Promise<void> {
  stop?.();
  await bank?.close();
  bank = createBank({ driver: await indexedDbDriver({ name }) });
  heard = [];
  await new Promise<void>((resolve) => {
    stop = bank!.lens(accounts).watch('tab', (m) => {
      heard.push({ balance: m?.balance ?? -1, at: now() });
      resolve();
    });
  });
}

/** Opens the account `tab` in database `name`. */
async function open(name: string): Promise<void> {
  const writer = createBank({ driver: await indexedDbDriver({ name }) });
  await writer.send(OpenAccount({ accountId: 'tab', owner: 'Ada' }));
  await writer.close();
}

/** Deposits 1 `count` times, `pauseMs` apart; returns when each commit finished. */
async function write(name: string, count: number, pauseMs: number): Promise<number[]> {
  const writer = createBank({ driver: await indexedDbDriver({ name }) });
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    await new Promise((r) => setTimeout(r, pauseMs));
    await writer.send(Deposit({ accountId: 'tab', amount: 1 }));
    times.push(now());
  }
  await writer.close();
  return times;
}

(globalThis as { liveTabs?: unknown }).liveTabs = {
  ready: true,
  listen,
  open,
  write,
  heard: () => heard,
};
