// @runtimes node deno bun
import { describe, expect, it } from 'vitest';
import {
  cache,
  circuitBreaker,
  defineCommand,
  defineEvent,
  defineReceptor,
  isWhizbangError,
  type PolicyDecision,
  payload,
  retry,
  timeout,
  whizbang,
} from '../../js/mod.ts';

const Charge = defineCommand('Charge', payload<{ id: string; amount: number }>());
const Charged = defineEvent('Charged', payload<{ id: string; amount: number }>());
const Quote = defineCommand('Quote', payload<{ sku: string }>());
const Other = defineCommand('Other', payload<{ n: number }>());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const decisions = (hops: readonly { decisions: readonly PolicyDecision[] }[]) =>
  hops.flatMap((h) => h.decisions);

/** A receptor that fails `failures` times, then charges. */
const flaky = (failures: number, calls: { n: number }) =>
  defineReceptor({
    command: Charge,
    stream: (c) => `charge-${c.data.id}`,
    handle: (c) => {
      calls.n++;
      if (calls.n <= failures) throw new Error(`gateway down (${calls.n})`);
      return Charged(c.data);
    },
  });

describe('retry', () => {
  it('runs a failing decision again with backoff and records each retry', async () => {
    const calls = { n: 0 };
    const app = whizbang()
      .receptor(flaky(2, calls))
      .policy(retry({ maxAttempts: 3, initialDelayMs: 1 }))
      .build();
    const receipt = await app.send(Charge({ id: 'c1', amount: 5 }));
    expect(calls.n).toBe(3);
    expect(receipt.version).toBe(1); // appended once
    const trail = decisions(receipt.envelope.hops);
    expect(trail.filter((d) => d.decision === 'retry')).toHaveLength(2);
    expect(trail[0]).toMatchObject({
      policy: 'retry',
      detail: expect.stringMatching(/attempt 2 of 3.*gateway down \(1\)/),
    });
  });

  it('gives up after maxAttempts with the last error, and never retries bad input', async () => {
    const calls = { n: 0 };
    const app = whizbang()
      .receptor(flaky(5, calls))
      .policy(retry({ maxAttempts: 2, initialDelayMs: 1 }))
      .build();
    await expect(app.send(Charge({ id: 'c1', amount: 5 }))).rejects.toThrow('gateway down (2)');
    expect(calls.n).toBe(2);
    expect(await app.ledger.headPosition()).toBe(0);

    const strict = defineCommand('Strict', {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (v: unknown) =>
          typeof v === 'number' ? { value: v } : { issues: [{ message: 'a number please' }] },
      },
    });
    let handled = 0;
    const app2 = whizbang()
      .receptor(defineReceptor({ command: strict, handle: () => void handled++ }))
      .policy(retry({ maxAttempts: 5, initialDelayMs: 1 }))
      .build();
    await expect(app2.send(strict('x' as never))).rejects.toThrow(/a number please/);
    expect(handled).toBe(0);
  });

  it('does not repeat a committed decision when its cascade fails', async () => {
    const Start = defineCommand('Start', payload<{ id: string }>());
    const Started = defineEvent('Started', payload<{ id: string }>());
    let starts = 0;
    const app = whizbang()
      .receptor(
        defineReceptor({
          command: Start,
          stream: (c) => `job-${c.data.id}`,
          handle: (c) => {
            starts++;
            return [Started(c.data), Other({ n: 1 })];
          },
        }),
      )
      .receptor(
        defineReceptor({
          command: Other,
          handle: () => {
            throw new Error('downstream broken');
          },
        }),
      )
      .policy(retry({ maxAttempts: 3, initialDelayMs: 1 }), { for: [Start] })
      .build();
    await expect(app.send(Start({ id: 'j' }))).rejects.toThrow('downstream broken');
    expect(starts).toBe(1);
    expect(await app.ledger.streamVersion('job-j')).toBe(1);
  });
});

describe('timeout', () => {
  it('abandons a slow decision: the signal aborts and nothing is written, even later', async () => {
    let signal: AbortSignal | undefined;
    const slow = defineReceptor({
      command: Charge,
      stream: (c) => `charge-${c.data.id}`,
      handle: async (c, ctx) => {
        signal = ctx.signal;
        await sleep(80);
        return Charged(c.data);
      },
    });
    const app = whizbang()
      .receptor(slow)
      .policy(timeout({ ms: 10 }))
      .build();
    const error = await app.send(Charge({ id: 'late', amount: 1 })).catch((e: unknown) => e);
    expect(isWhizbangError(error, 'TIMEOUT')).toBe(true);
    expect(String(error)).toMatch(/did not finish within 10 ms.*nothing it decided was written/);
    expect(signal?.aborted).toBe(true);
    await sleep(120);
    expect(await app.ledger.headPosition()).toBe(0);
  });

  it('costs no timer for a decision that finishes at once, and leaves other types alone', async () => {
    const app = whizbang()
      .receptor(
        defineReceptor({
          command: Charge,
          stream: (c) => c.data.id,
          handle: (c) => Charged(c.data),
        }),
      )
      .receptor(
        defineReceptor({
          command: Other,
          handle: async (c, ctx) => {
            await sleep(30);
            return ctx.signal === undefined ? c.data.n : -1;
          },
        }),
      )
      .policy(timeout({ ms: 5 }), { for: [Charge] })
      .build();
    expect((await app.send(Charge({ id: 'fast', amount: 1 }))).version).toBe(1);
    expect(await app.localInvoke(Other({ n: 7 }))).toBe(7); // no policy matched: no signal, no timeout
  });
});

describe('circuit breaker', () => {
  it('opens after failures, rejects without calling, lets one trial through, and closes on success', async () => {
    const calls = { n: 0 };
    const breaker = circuitBreaker({ failureThreshold: 2, halfOpenAfterMs: 40 });
    const app = whizbang().receptor(flaky(2, calls)).policy(breaker).build();
    await expect(app.send(Charge({ id: 'a', amount: 1 }))).rejects.toThrow(/gateway down/);
    await expect(app.send(Charge({ id: 'a', amount: 1 }))).rejects.toThrow(/gateway down/);
    expect(breaker.state).toBe('open');
    const rejected = await app.send(Charge({ id: 'a', amount: 1 })).catch((e: unknown) => e);
    expect(isWhizbangError(rejected, 'CIRCUIT_OPEN')).toBe(true);
    expect(calls.n).toBe(2);
    await sleep(50);
    expect(breaker.state).toBe('half-open');
    const receipt = await app.send(Charge({ id: 'a', amount: 1 }));
    expect(breaker.state).toBe('closed');
    expect(decisions(receipt.envelope.hops).map((d) => d.decision)).toEqual([
      'half-open',
      'closed',
    ]);
  });
});

describe('cache', () => {
  it('answers a repeated query from the cache, per tenant, until invalidated or expired', async () => {
    let priced = 0;
    const prices = cache({ ttlMs: 40 });
    const app = whizbang()
      .receptor(
        defineReceptor({ command: Quote, handle: (c) => ({ sku: c.data.sku, price: ++priced }) }),
      )
      .policy(prices, { for: ['Quote'] })
      .build();
    expect(await app.localInvoke(Quote({ sku: 'A' }))).toEqual({ sku: 'A', price: 1 });
    expect(await app.localInvoke(Quote({ sku: 'A' }))).toEqual({ sku: 'A', price: 1 });
    expect(await app.localInvoke(Quote({ sku: 'B' }))).toEqual({ sku: 'B', price: 2 });
    expect(await app.localInvoke(Quote({ sku: 'A' }), { tenant: 'acme' })).toEqual({
      sku: 'A',
      price: 3,
    });
    prices.invalidate((m) => (m.data as { sku: string }).sku === 'A');
    expect(await app.localInvoke(Quote({ sku: 'A' }))).toEqual({ sku: 'A', price: 4 });
    await sleep(50);
    expect(await app.localInvoke(Quote({ sku: 'B' }))).toEqual({ sku: 'B', price: 5 });
    const receipt = await app.send(Quote({ sku: 'B' }));
    expect(decisions(receipt.envelope.hops)).toEqual([{ policy: 'cache', decision: 'hit' }]);
  });

  it('never caches a decision that writes', async () => {
    const calls = { n: 0 };
    const app = whizbang()
      .receptor(flaky(0, calls))
      .policy(cache({ ttlMs: 10_000 }))
      .build();
    await app.send(Charge({ id: 'x', amount: 1 }));
    await app.send(Charge({ id: 'x', amount: 1 }));
    expect(calls.n).toBe(2);
    expect(await app.ledger.streamVersion('charge-x')).toBe(2);
  });
});

describe('matching and composition', () => {
  it('matches by definition, type name or predicate, and wraps in the order added', async () => {
    const calls = { n: 0 };
    const app = whizbang()
      .receptor(flaky(1, calls))
      .receptor(defineReceptor({ command: Other, handle: (c) => c.data.n }))
      .policy(retry({ maxAttempts: 2, initialDelayMs: 1 }), (m) => m.type === 'Charge')
      .policy(circuitBreaker({ failureThreshold: 1 }), { for: [Charge] })
      .build();
    // retry (outer) sees the breaker (inner) open after the first failure: the second run is rejected
    const error = await app.send(Charge({ id: 'm', amount: 1 })).catch((e: unknown) => e);
    expect(isWhizbangError(error, 'CIRCUIT_OPEN')).toBe(true);
    expect(calls.n).toBe(1);
    expect(await app.localInvoke(Other({ n: 3 }))).toBe(3); // the app keeps serving other messages
  });
});
