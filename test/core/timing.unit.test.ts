/**
 * Times are taken where they can be seen: a `localInvoke` that nothing observes reads no clock,
 * and one that is seen (a receptor reading its envelope, an awaited decision, observers, a send's
 * receipt) still reports its hops with their times.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  defineCommand,
  defineReceptor,
  type Envelope,
  type Observer,
  payload,
  retry,
  timeout,
  whizbang,
} from '../../js/mod.ts';

const Price = defineCommand('Price', payload<{ qty: number }>());
const double = defineReceptor({ command: Price, handle: (c) => c.data.qty * 2 });

function countClockReads(): { reads: () => number } {
  const perf = vi.spyOn(performance, 'now');
  const date = vi.spyOn(Date, 'now');
  return { reads: () => perf.mock.calls.length + date.mock.calls.length };
}

describe('dispatch timing', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('a localInvoke nothing observes reads no clock', async () => {
    const app = whizbang('t').receptor(double).build();
    await app.localInvoke(Price({ qty: 1 })); // warm: lazily made parts
    const clock = countClockReads();
    expect(await app.localInvoke(Price({ qty: 21 }))).toBe(42);
    expect(clock.reads()).toBe(0);
  });

  it('a receptor declared without a context parameter gets none made', async () => {
    expect(double.readsContext).toBe(false);
    const reads = defineReceptor({ command: Price, handle: (_c, context) => context.tenant });
    expect(reads.readsContext).toBe(true);
    expect(
      await whizbang('t')
        .receptor(reads)
        .build()
        .localInvoke(Price({ qty: 1 }), { tenant: 't1' }),
    ).toBe('t1');
  });

  it('a send is timed: its receipt shows the receptor hop with a start and a duration', async () => {
    const app = whizbang('t').receptor(double).build();
    const before = Date.now();
    const receipt = await app.send(Price({ qty: 2 }));
    const hop = receipt.envelope.hops.find((h) => h.where === 'receptor:Price')!;
    expect(hop.at).toBeGreaterThanOrEqual(before - 1);
    expect(hop.at).toBeLessThanOrEqual(Date.now() + 1);
    expect(hop.durationMs).toBeGreaterThanOrEqual(0);
    expect(receipt.envelope.timestamp).toBeGreaterThanOrEqual(before);
  });

  it('a receptor that reads its envelope sees its hop, timed from then and ended with the step', async () => {
    let seen: Envelope | undefined;
    const keep = defineReceptor({
      command: Price,
      handle: (c, context) => {
        seen = context.envelope;
        const spin = performance.now() + 2;
        while (performance.now() < spin) {
          // a step that takes a little time
        }
        return c.data.qty;
      },
    });
    const app = whizbang('t').receptor(keep).build();
    const before = Date.now();
    await app.localInvoke(Price({ qty: 3 }));
    expect(seen!.hops.map((h) => h.where)).toEqual(['receptor:Price']);
    const hop = seen!.hops[0]!;
    expect(hop.at).toBeGreaterThanOrEqual(before - 1);
    expect(hop.durationMs).toBeGreaterThanOrEqual(1.5);
    expect(seen!.timestamp).toBeGreaterThanOrEqual(before);
    expect(seen!.timestamp).toBeLessThanOrEqual(Date.now());
  });

  it('an awaited decision is timed from its first await', async () => {
    const observed: Envelope[] = [];
    const slow = defineReceptor({
      command: Price,
      handle: async (c, context) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        observed.push(context.envelope);
        return c.data.qty;
      },
    });
    const app = whizbang('t').receptor(slow).build();
    await app.localInvoke(Price({ qty: 4 }));
    expect(observed[0]!.hops[0]!.durationMs).toBeGreaterThanOrEqual(4);
  });

  it('observers make a localInvoke timed from its start', async () => {
    const hops: number[] = [];
    const observer: Observer = {
      onDispatched: ({ envelope }) => hops.push(envelope.hops.length),
    };
    const observedApp = whizbang('t')
      .receptor(double)
      .build({ observers: [observer] });
    const clock = countClockReads();
    await observedApp.localInvoke(Price({ qty: 1 }));
    expect(clock.reads()).toBeGreaterThan(0);
    expect(hops).toEqual([1]);
  });

  it('policies read no clock until one records a decision, which the hop then holds', async () => {
    const guarded = whizbang('t')
      .receptor(double)
      .policy(retry({ maxAttempts: 2, initialDelayMs: 1 }))
      .policy(timeout({ ms: 1000 }))
      .build();
    await guarded.localInvoke(Price({ qty: 1 }));
    const clock = countClockReads();
    expect(await guarded.localInvoke(Price({ qty: 2 }))).toBe(4);
    expect(clock.reads()).toBe(0);
    vi.restoreAllMocks();

    let failures = 1;
    let seen: Envelope | undefined;
    const flaky = defineReceptor({
      command: Price,
      handle: (c, context) => {
        if (failures-- > 0) throw new Error('once');
        seen = context.envelope;
        return c.data.qty;
      },
    });
    const retried = whizbang('t')
      .receptor(flaky)
      .policy(retry({ maxAttempts: 2, initialDelayMs: 1, jitter: false }))
      .build();
    expect(await retried.localInvoke(Price({ qty: 5 }))).toBe(5);
    const hop = seen!.hops[0]!;
    expect(hop.decisions.map((d) => d.decision)).toEqual(['retry']);
    expect(hop.at).toBeLessThanOrEqual(Date.now());
  });
});
