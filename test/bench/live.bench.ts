/**
 * Live lenses: what 100 open live queries cost the command path when no command touches their
 * answers, and how long a commit takes to reach a live lens's listener in process.
 */
import { definePerspective, type Whizbang, whizbang } from '../../js/mod.ts';
import { ACCOUNTS, balances, Deposit, Deposited, deposit } from './bank.ts';
import type { BenchEntry } from './harness.ts';

const LIVE = 100;

/** Large deposits, by account: a perspective the bench's deposits (of 1) never write. */
const large = definePerspective({
  name: 'large_deposits',
  events: [Deposited],
  key: (e) => (e.data.amount >= 1_000 ? e.data.accountId : undefined),
  initial: () => ({ count: 0 }),
  apply: (m: { count: number }) => ({ count: m.count + 1 }),
});

/**
 * The bench app, with `live` queries open: `'other'`, 100 on a perspective no deposit writes;
 * `'filtered'`, 100 on the perspective every deposit writes, with filters no model matches.
 */
function app(live: 'none' | 'other' | 'filtered'): Whizbang<any, any> {
  const built = whizbang('bench')
    .receptor(deposit)
    .perspective(balances)
    .perspective(large)
    .build();
  for (let i = 0; live !== 'none' && i < LIVE; i++) {
    if (live === 'other') built.lens(large).live({ where: { count: { gte: i } } }, () => undefined);
    else built.lens(balances).live({ where: { balance: { lt: -1 - i } } }, () => undefined);
  }
  return built;
}

function overhead(
  name: string,
  live: 'other' | 'filtered',
  what: string,
  goal?: number,
): BenchEntry {
  return {
    name,
    make: () => {
      let withLive = app(live);
      let without = app('none');
      return {
        name,
        unit: 'commands/s',
        ...(goal === undefined ? {} : { goal }),
        ops: 20_000,
        rounds: 11,
        subject: {
          name: `command.path.memory with ${LIVE} live queries open (${what})`,
          setup: async () => {
            await withLive.close();
            withLive = app(live);
          },
          run: (n) => send(withLive, n),
        },
        baseline: {
          name: 'command.path.memory, no live query',
          setup: async () => {
            await without.close();
            without = app('none');
          },
          run: (n) => send(without, n),
        },
        dispose: async () => {
          await withLive.close();
          await without.close();
        },
      };
    },
  };
}

async function send(bank: Whizbang<any, any>, n: number): Promise<number> {
  for (let i = 0; i < n; i++) {
    await bank.send(Deposit({ accountId: ACCOUNTS[i % ACCOUNTS.length]!, amount: 1 }));
  }
  return n;
}

const percentile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

export const benches: BenchEntry[] = [
  overhead('lens.live.overhead', 'other', 'on a perspective no command writes', 0.9),
  overhead(
    'lens.live.overhead.filtered',
    'filtered',
    'on the perspective every command writes, filters matching no model',
  ),
  {
    name: 'lens.live.latency',
    make: () => {
      let bank = app('none');
      const ms: number[] = [];
      return {
        name: 'lens.live.latency',
        unit: 'commits/s',
        ops: 2_000,
        subject: {
          name: 'send -> commit -> live lens listener, memory, in process (one at a time)',
          setup: async () => {
            await bank.close();
            bank = app('none');
          },
          run: async (n) => {
            // resolves when the listener has heard the balance `want`
            let want = 0;
            let heard: (() => void) | undefined;
            const stop = bank.lens(balances).watch('acc-0', (m) => {
              if ((m?.balance ?? 0) === want) heard?.();
            });
            for (let i = 1; i <= n; i++) {
              want = i;
              const arrived = new Promise<void>((resolve) => {
                heard = resolve;
              });
              const at = performance.now();
              await bank.send(Deposit({ accountId: 'acc-0', amount: 1 }));
              await arrived;
              ms.push(performance.now() - at);
            }
            stop();
            return n;
          },
        },
        finish: () => {
          const sorted = ms.sort((a, b) => a - b);
          const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
          console.error(
            `lens.live.latency: send -> listener p50 ${percentile(sorted, 0.5).toFixed(3)} ms, p99 ${percentile(sorted, 0.99).toFixed(3)} ms, mean ${mean.toFixed(3)} ms (${sorted.length} samples)`,
          );
        },
        dispose: () => bank.close(),
      };
    },
  },
];
