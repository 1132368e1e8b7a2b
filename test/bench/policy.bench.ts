/** What policies cost on the dispatch path, ours and cockatiel's for comparison. */
import {
  retry as cRetry,
  timeout as cTimeout,
  ExponentialBackoff,
  handleAll,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { defineCommand, defineReceptor, payload, retry, timeout, whizbang } from '../../js/mod.ts';
import type { BenchEntry } from './harness.ts';

const Quote = defineCommand('Quote', payload<{ lines: Array<{ price: number; qty: number }> }>());
const quote = (c: { data: { lines: Array<{ price: number; qty: number }> } }): number => {
  let total = 0;
  for (const l of c.data.lines) total += l.price * l.qty;
  return Math.round(total * 100) / 100;
};
const command = Quote({
  lines: Array.from({ length: 10 }, (_, i) => ({ price: 3.5 + i, qty: 1 + (i % 3) })),
});
const plain = whizbang('bench')
  .receptor(defineReceptor({ command: Quote, handle: quote }))
  .build();
const loop =
  (app: { localInvoke: (c: typeof command) => Promise<number> }) => async (n: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await app.localInvoke(command);
    return sum > 0 ? n : 0;
  };

export const benches: BenchEntry[] = [
  {
    name: 'policy.overhead',
    make: () => {
      const guarded = whizbang('bench')
        .receptor(defineReceptor({ command: Quote, handle: quote }))
        .policy(retry({ maxAttempts: 3 }))
        .policy(timeout({ ms: 1000 }))
        .build();
      return {
        name: 'policy.overhead',
        unit: 'ops/s',
        goal: 0.8,
        // short rounds, many of them: the two sides alternate often, so a noisy neighbour hits both
        ops: 50_000,
        rounds: 21,
        subject: { name: 'localInvoke with retry + timeout policies', run: loop(guarded) },
        baseline: { name: 'localInvoke without policies', run: loop(plain) },
      };
    },
  },
  {
    name: 'policy.cockatiel',
    make: () => {
      const policy = wrap(
        cRetry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() }),
        cTimeout(1000, TimeoutStrategy.Cooperative),
      );
      const wrapped = whizbang('bench')
        .receptor(defineReceptor({ command: Quote, handle: (c) => policy.execute(() => quote(c)) }))
        .build();
      return {
        name: 'policy.cockatiel',
        unit: 'ops/s',
        ops: 100_000,
        subject: {
          name: 'localInvoke, handler run through cockatiel retry + timeout',
          run: loop(wrapped),
        },
        baseline: { name: 'localInvoke without policies', run: loop(plain) },
      };
    },
  },
];
