/**
 * Live lenses across two tabs (driven by run.mjs): one tab keeps a live query open, the other
 * sends commands; the first hears each through the BroadcastChannel notices.
 */
import { indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import { accounts, createBank, Deposit, OpenAccount } from '../../examples/bank/domain.ts';
import type { Whizbang } from '../../js/mod.ts';

let bank: Whizbang<any, any> | undefined;
let answers: Array<{ balances: number[]; at: number }> = [];
let stop: (() => void) | undefined;

/** Opens a live query of every account's balance; answers are kept with the time they came. */
export async function liveOpen(name: string): Promise<void> {
  bank = createBank({ driver: await indexedDbDriver({ name }) });
  answers = [];
  stop = bank.lens(accounts).live({ orderBy: { accountId: 'asc' } }, (rows) => {
    answers.push({ balances: rows.map((r) => r.balance), at: Date.now() });
  });
}

/** The answers so far. */
export function liveAnswers(): Array<{ balances: number[]; at: number }> {
  return answers;
}

/**
 * Opens an account, then deposits 1 `count` times, `pauseMs` apart; returns when each commit
 * finished (epoch ms), for the other tab's latency.
 */
export async function liveWrite(name: string, count: number, pauseMs: number): Promise<number[]> {
  const writer = createBank({ driver: await indexedDbDriver({ name }) });
  const times: number[] = [];
  await writer.send(OpenAccount({ accountId: 'tab', owner: 'Ada' }));
  times.push(Date.now());
  for (let i = 0; i < count; i++) {
    await new Promise((r) => setTimeout(r, pauseMs));
    await writer.send(Deposit({ accountId: 'tab', amount: 1 }));
    times.push(Date.now());
  }
  await writer.close();
  return times;
}

/** Unsubscribes and closes the live tab's app. */
export async function liveClose(): Promise<void> {
  stop?.();
  await bank?.close();
  bank = undefined;
}
