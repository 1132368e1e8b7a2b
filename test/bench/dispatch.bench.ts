/**
 * Benchmarks of in-process dispatch: `localInvoke` against calling the handler directly, in time
 * and in bytes allocated per dispatch.
 */
import { spawnSync } from 'node:child_process';
import { defineCommand, defineReceptor, payload, whizbang } from '../../js/mod.ts';
import type { BenchEntry } from './harness.ts';

// A handler with a little real work: price an order of 10 lines with a discount rule.
const Quote = defineCommand(
  'Quote',
  payload<{ lines: Array<{ price: number; qty: number }>; coupon?: string }>(),
);
const quote = (c: {
  data: { lines: Array<{ price: number; qty: number }>; coupon?: string };
}): number => {
  let total = 0;
  for (const l of c.data.lines) total += l.price * l.qty;
  if (c.data.coupon === 'TEN' && total > 100) total *= 0.9;
  return Math.round(total * 100) / 100;
};
const lines = Array.from({ length: 10 }, (_, i) => ({ price: 3.5 + i, qty: 1 + (i % 3) }));

const app = (): { localInvoke(c: ReturnType<typeof Quote>): Promise<number> } =>
  whizbang('bench')
    .receptor(defineReceptor({ command: Quote, handle: quote }))
    .build();

const PROBE = 'WHIZBANG_BENCH_PROBE';
const PROBE_OPS = 100_000;

/** Bytes allocated per call of `f`, after a warm-up, in a young generation no collection runs in. */
async function bytesPer(f: () => Promise<number>): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('The allocation probe needs --expose-gc.');
  for (let i = 0; i < PROBE_OPS; i++) await f();
  gc();
  const before = process.memoryUsage().heapUsed;
  let sum = 0;
  for (let i = 0; i < PROBE_OPS; i++) sum += await f();
  const after = process.memoryUsage().heapUsed;
  if (sum <= 0) throw new Error('The probe computed nothing.');
  return (after - before) / PROBE_OPS;
}

/**
 * Run in a child process by `dispatch.allocations` (the bundle is started again with the probe's
 * side in the environment): prints the bytes one dispatch allocates.
 */
export async function allocationProbe(): Promise<boolean> {
  const side = process.env[PROBE];
  if (side === undefined) return false;
  const command = Quote({ lines, coupon: 'TEN' });
  const invoker = app();
  const bytes =
    side === 'subject'
      ? await bytesPer(() => invoker.localInvoke(command))
      : await bytesPer(async () => quote(command));
  console.log(bytes.toFixed(1));
  return true;
}

/** Starts this bundle again with a young generation of 512 MB, so the probe sees every byte. */
function probe(side: 'subject' | 'baseline'): { done: number; seconds: number } {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--min-semi-space-size=512', '--max-semi-space-size=512', process.argv[1]!],
    { env: { ...process.env, [PROBE]: side }, encoding: 'utf8' },
  );
  const bytes = Number.parseFloat(child.stdout);
  if (child.status !== 0 || !Number.isFinite(bytes)) {
    throw new Error(`The allocation probe failed: ${child.stderr || child.stdout}`);
  }
  // a "rate" of bytes per one second: the harness reports done ÷ seconds
  return { done: bytes, seconds: 1 };
}

export const benches: BenchEntry[] = [
  {
    name: 'dispatch.localInvoke',
    make: () => {
      const invoker = app();
      const command = Quote({ lines, coupon: 'TEN' });
      return {
        name: 'dispatch.localInvoke',
        unit: 'ops/s',
        goal: 0.5,
        ops: 200_000,
        subject: {
          name: 'app.localInvoke',
          run: async (n) => {
            let sum = 0;
            for (let i = 0; i < n; i++) sum += await invoker.localInvoke(command);
            return sum > 0 ? n : 0;
          },
        },
        baseline: {
          name: 'await handler(command) directly',
          run: async (n) => {
            let sum = 0;
            for (let i = 0; i < n; i++) sum += await quote(command);
            return sum > 0 ? n : 0;
          },
        },
      };
    },
  },
  {
    name: 'dispatch.allocations',
    make: () => ({
      name: 'dispatch.allocations',
      unit: 'bytes/dispatch',
      ops: 1,
      rounds: 3,
      subject: { name: 'app.localInvoke', run: () => probe('subject') },
      baseline: { name: 'await handler(command) directly', run: () => probe('baseline') },
    }),
  },
];
