// @runtimes node deno bun
/** The memory transport runs the Transport conformance suite, plus what only it promises. */
import { describe, expect, it } from 'vitest';
import { caught, range, sleep } from '../../js/conformance/helpers.ts';
import { hostileTransportConformance, transportConformance } from '../../js/conformance/mod.ts';
import {
  gate,
  numbered,
  numberOf,
  recorder,
  wireEnvelope,
} from '../../js/conformance/transport/kit.ts';
import type { WireEnvelope } from '../../js/contracts/transport.ts';
import { type MemoryTransportOptions, memoryTransport } from '../../js/memory/transport.ts';
import { isWhizbangError } from '../../js/util/errors.ts';

hostileTransportConformance('memory', () => memoryTransport());
transportConformance(
  'memory',
  ({ maxInFlight }) => memoryTransport({ maxInFlight, redelivery: { backoffMs: 1 } }),
  { requests: true },
);

const waits = { timeoutMs: 2_000, settleMs: 0, quietMs: 20 };

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + waits.timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('The condition did not hold in time.');
    await sleep(1);
  }
}

async function refused(
  fn: () => unknown,
  code: 'INVALID_ARGUMENT' | 'CLOSED',
  text: RegExp,
): Promise<void> {
  const error = await caught(fn);
  expect(isWhizbangError(error) ? error.code : String(error)).toBe(code);
  expect((error as Error).message).toMatch(text);
}

describe('memory transport', () => {
  describe('delivery', () => {
    it('is named, subscribes synchronously and never runs a handler inside publish', async () => {
      const t = memoryTransport();
      expect(t.name).toBe('memory');
      let calls = 0;
      const sub = t.subscribe('a.b', () => {
        calls++;
      });
      expect(typeof sub.close).toBe('function');
      expect(t.publish('a.b', numbered(1))).toBeUndefined();
      expect(calls).toBe(0);
      await until(() => calls === 1);
      await t.close();
    });

    it('publish returns at once while there is room, and a promise that waits when a queue is full', async () => {
      const t = memoryTransport({ maxInFlight: 2 });
      const hold = gate();
      const inbox = recorder(() => hold.wait);
      t.subscribe('q', inbox.handler);
      expect(t.publish('q', numbered(1))).toBeUndefined();
      expect(t.publish('q', numbered(2))).toBeUndefined();
      let resolved = false;
      const third = t.publish('q', numbered(3));
      expect(third).toBeInstanceOf(Promise);
      void Promise.resolve(third).then(() => {
        resolved = true;
      });
      await sleep(waits.quietMs);
      expect(resolved).toBe(false);
      hold.open();
      await third;
      await until(() => inbox.received.length === 3);
      expect(inbox.numbers()).toEqual([1, 2, 3]);
      await t.close();
    });

    it('with maxInFlight 1 the publisher moves in lockstep with the handler', async () => {
      const t = memoryTransport({ maxInFlight: 1 });
      let handled = 0;
      let published = 0;
      let most = 0;
      t.subscribe('step', async () => {
        most = Math.max(most, published - handled);
        await sleep(0);
        handled++;
      });
      for (let n = 0; n < 20; n++) {
        await t.publish('step', numbered(n));
        published++;
        most = Math.max(most, published - handled);
      }
      await until(() => handled === 20);
      expect(most).toBe(1);
      await t.close();
    });

    it('sends what JSON carries: a Date arrives as its ISO string, undefined fields are left out', async () => {
      const t = memoryTransport();
      const inbox = recorder();
      t.subscribe('wire', inbox.handler);
      const at = new Date('2024-05-06T07:08:09.010Z');
      await t.publish('wire', wireEnvelope({ at, gone: undefined, kept: null }));
      await until(() => inbox.received.length === 1);
      expect(inbox.received[0]?.envelope.message.data).toStrictEqual({
        at: at.toISOString(),
        kept: null,
      });
      await t.close();
    });

    it('refuses an envelope JSON cannot carry, saying why', async () => {
      const t = memoryTransport();
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await refused(
        () => t.publish('x', wireEnvelope({ big: 10n })),
        'INVALID_ARGUMENT',
        /JSON.*BigInt/s,
      );
      await refused(
        () => t.publish('x', wireEnvelope(cyclic)),
        'INVALID_ARGUMENT',
        /cannot be sent as JSON/,
      );
      await refused(
        () => t.publish('x', undefined as unknown as WireEnvelope),
        'INVALID_ARGUMENT',
        /needs an envelope object/,
      );
      await t.close();
    });
  });

  describe('copies', () => {
    it('the publisher changing its envelope after publish changes nothing delivered', async () => {
      const t = memoryTransport();
      const inbox = recorder();
      t.subscribe('c', inbox.handler);
      const sent = numbered(1);
      const original = structuredClone(sent);
      await t.publish('c', sent);
      (sent.message.data as { n: number }).n = 99;
      await until(() => inbox.received.length === 1);
      expect(inbox.received[0]?.envelope).toEqual(original);
      await t.close();
    });

    it('redelivery and the dead letter get the envelope as published, whatever the handler did to it', async () => {
      const got: WireEnvelope[] = [];
      const dead: WireEnvelope[] = [];
      const t = memoryTransport({
        redelivery: { attempts: 2, backoffMs: 1 },
        deadLetter: (envelope) => {
          dead.push(envelope);
        },
      });
      t.subscribe('c', (envelope) => {
        got.push(structuredClone(envelope));
        (envelope.message.data as { n: unknown }).n = 'changed';
        throw new Error('always');
      });
      const sent = numbered(5);
      await t.publish('c', sent);
      await until(() => dead.length === 1);
      expect(got).toEqual([sent, sent]);
      expect(dead).toEqual([sent]);
      await t.close();
    });
  });

  describe('redelivery and dead letters', () => {
    it('after the last attempt hands the envelope, topic and last error to deadLetter, then goes on', async () => {
      const dead: Array<{ envelope: WireEnvelope; topic: string; error: unknown }> = [];
      const t = memoryTransport({
        redelivery: { attempts: 3, backoffMs: 1 },
        deadLetter: (envelope, topic, error) => {
          dead.push({ envelope, topic, error });
        },
      });
      let tries = 0;
      const inbox = recorder((envelope) => {
        if (numberOf(envelope) === 2) throw new Error(`boom ${++tries}`);
      });
      t.subscribe('orders.*', inbox.handler);
      const sent = range(1, 4).map((n) => numbered(n));
      for (const envelope of sent) await t.publish('orders.placed', envelope);
      await until(() => inbox.received.length === 3);
      expect(inbox.numbers()).toEqual([1, 3, 4]);
      expect(tries).toBe(3);
      expect(dead).toHaveLength(1);
      expect(dead[0]?.envelope).toEqual(sent[1]);
      expect(dead[0]?.topic).toBe('orders.placed');
      expect((dead[0]!.error as Error).message).toBe('boom 3');
      await t.close();
    });

    it('without deadLetter drops the envelope quietly and goes on', async () => {
      const t = memoryTransport({ redelivery: { attempts: 2, backoffMs: 1 } });
      const inbox = recorder((envelope) => {
        if (numberOf(envelope) === 1) return Promise.reject(new Error('never'));
        return undefined;
      });
      t.subscribe('d', inbox.handler);
      await t.publish('d', numbered(1));
      await t.publish('d', numbered(2));
      await until(() => inbox.received.length === 1);
      expect(inbox.numbers()).toEqual([2]);
      await t.close();
    });

    it('a deadLetter that throws or rejects does not stop delivery', async () => {
      let calls = 0;
      const t = memoryTransport({
        redelivery: { attempts: 1 },
        deadLetter: () => {
          calls++;
          if (calls === 1) throw new Error('dead letter throws');
          return Promise.reject(new Error('dead letter rejects'));
        },
      });
      const inbox = recorder((envelope) => {
        if (numberOf(envelope) < 3) throw new Error('fail');
      });
      t.subscribe('d', inbox.handler);
      for (const n of [1, 2, 3]) await t.publish('d', numbered(n));
      await until(() => inbox.received.length === 1);
      expect(calls).toBe(2);
      expect(inbox.numbers()).toEqual([3]);
      await t.close();
    });

    it('waits backoffMs before the first redelivery, doubling after each failure', async () => {
      const t = memoryTransport({ redelivery: { attempts: 4, backoffMs: 15 } });
      const at: number[] = [];
      t.subscribe('b', () => {
        at.push(performance.now());
        if (at.length < 4) throw new Error('again');
      });
      await t.publish('b', numbered(1));
      await until(() => at.length === 4);
      const gaps = at.slice(1).map((time, i) => time - at[i]!);
      // timers may fire a millisecond early on some runtimes
      expect(gaps[0]).toBeGreaterThanOrEqual(14);
      expect(gaps[1]).toBeGreaterThanOrEqual(29);
      expect(gaps[2]).toBeGreaterThanOrEqual(59);
      await t.close();
    });

    it('closing a subscription during a backoff stops its redeliveries and dead letter', async () => {
      let dead = 0;
      const t = memoryTransport({
        redelivery: { attempts: 3, backoffMs: 30 },
        deadLetter: () => {
          dead++;
        },
      });
      let tries = 0;
      const sub = t.subscribe('b', () => {
        tries++;
        throw new Error('fail');
      });
      await t.publish('b', numbered(1));
      await until(() => tries === 1);
      sub.close();
      await sleep(100);
      expect(tries).toBe(1);
      expect(dead).toBe(0);
      await t.close();
    });
  });

  describe('queue groups', () => {
    it('goes round-robin among members', async () => {
      const t = memoryTransport();
      const members = [recorder(), recorder(), recorder()];
      for (const m of members) t.subscribe('rr', m.handler, { queue: 'w' });
      for (let n = 0; n < 9; n++) await t.publish('rr', numbered(n));
      await until(() => members.every((m) => m.received.length === 3));
      expect(members.map((m) => m.numbers())).toEqual([
        [0, 3, 6],
        [1, 4, 7],
        [2, 5, 8],
      ]);
      await t.close();
    });

    it('passes over a member whose queue is full while another has room', async () => {
      const t = memoryTransport({ maxInFlight: 2 });
      const hold = gate();
      const stuck = recorder(() => hold.wait);
      const free = recorder();
      t.subscribe('g', stuck.handler, { queue: 'w' });
      t.subscribe('g', free.handler, { queue: 'w' });
      for (let n = 0; n < 20; n++) await t.publish('g', numbered(n));
      await until(() => free.received.length === 18);
      hold.open();
      await until(() => stuck.received.length === 2);
      expect([...stuck.numbers(), ...free.numbers()].sort((a, b) => a - b)).toEqual(range(0, 19));
      await t.close();
    });

    it('makes publish wait when every member is full', async () => {
      const t = memoryTransport({ maxInFlight: 1 });
      const hold = gate();
      const members = [recorder(() => hold.wait), recorder(() => hold.wait)];
      for (const m of members) t.subscribe('g', m.handler, { queue: 'w' });
      expect(t.publish('g', numbered(1))).toBeUndefined();
      expect(t.publish('g', numbered(2))).toBeUndefined();
      const third = t.publish('g', numbered(3));
      expect(third).toBeInstanceOf(Promise);
      hold.open();
      await third;
      await until(() => members[0]!.received.length + members[1]!.received.length === 3);
      await t.close();
    });

    it('when every member is full, the first member to have room takes what waits', async () => {
      const t = memoryTransport({ maxInFlight: 1 });
      const stuck = gate();
      const slow = gate();
      const a = recorder(() => stuck.wait);
      const b = recorder(() => slow.wait);
      t.subscribe('g', a.handler, { queue: 'w' });
      t.subscribe('g', b.handler, { queue: 'w' });
      await t.publish('g', numbered(1));
      await t.publish('g', numbered(2));
      const third = t.publish('g', numbered(3));
      expect(third).toBeInstanceOf(Promise);
      slow.open();
      await third;
      await until(() => b.received.length === 2);
      expect(b.numbers()).toEqual([2, 3]);
      stuck.open();
      await until(() => a.received.length === 1);
      await t.close();
    });

    it('a member that joins takes what waits; what no member can take is let go', async () => {
      const t = memoryTransport({ maxInFlight: 1 });
      const hold = gate();
      const first = t.subscribe('g.*', () => hold.wait, { queue: 'w' });
      await t.publish('g.a', numbered(1));
      const second = t.publish('g.a', numbered(2));
      const joined = recorder();
      t.subscribe('g.a', joined.handler, { queue: 'w' });
      await second;
      await until(() => joined.received.length === 1);
      expect(joined.numbers()).toEqual([2]);
      // only the full first member matches "g.b"
      const orphan = t.publish('g.b', numbered(3));
      expect(orphan).toBeInstanceOf(Promise);
      first.close();
      await orphan;
      hold.open();
      await t.close();
    });

    it('a member closed with an envelope in hand leaves what waits to the others', async () => {
      const t = memoryTransport({ maxInFlight: 1 });
      const hold = gate();
      const busy = gate();
      const leaving = t.subscribe('g', () => hold.wait, { queue: 'w' });
      const staying = recorder(() => busy.wait);
      t.subscribe('g', staying.handler, { queue: 'w' });
      await t.publish('g', numbered(1));
      await t.publish('g', numbered(2));
      const third = t.publish('g', numbered(3));
      leaving.close();
      hold.open();
      await sleep(waits.quietMs);
      busy.open();
      await third;
      await until(() => staying.received.length === 2);
      expect(staying.numbers()).toEqual([2, 3]);
      await t.close();
    });

    it('like NATS, groups by queue name across the subscriptions that match', async () => {
      const t = memoryTransport();
      const exact = recorder();
      const wild = recorder();
      t.subscribe('x.a', exact.handler, { queue: 'w' });
      t.subscribe('x.*', wild.handler, { queue: 'w' });
      for (let n = 0; n < 4; n++) await t.publish('x.a', numbered(n));
      await t.publish('x.b', numbered(4));
      await until(() => exact.received.length + wild.received.length === 5);
      await sleep(waits.quietMs);
      expect(exact.numbers()).toEqual([0, 2]);
      expect(wild.numbers()).toEqual([1, 3, 4]);
      await t.close();
    });
  });

  describe('close', () => {
    it('closing a subscription lets its waiting publishers go on', async () => {
      const t = memoryTransport({ maxInFlight: 1 });
      const hold = gate();
      const sub = t.subscribe('w', () => hold.wait);
      await t.publish('w', numbered(1));
      const waiting = t.publish('w', numbered(2));
      expect(waiting).toBeInstanceOf(Promise);
      sub.close();
      await waiting;
      hold.open();
      await t.close();
    });

    it('closing the transport rejects waiting publishers with CLOSED and waits for the envelope in hand', async () => {
      const t = memoryTransport({ maxInFlight: 1 });
      const hold = gate();
      let finished = false;
      t.subscribe('w', async () => {
        await hold.wait;
        finished = true;
      });
      await t.publish('w', numbered(1));
      await sleep(1);
      const waiting = t.publish('w', numbered(2));
      const closing = t.close();
      expect(closing).toBeInstanceOf(Promise);
      await refused(() => waiting, 'CLOSED', /closed while this publish waited/);
      let closed = false;
      void Promise.resolve(closing).then(() => {
        closed = true;
      });
      await sleep(waits.quietMs);
      expect(closed).toBe(false);
      hold.open();
      await closing;
      expect(finished).toBe(true);
      expect(t.close()).toBeUndefined();
    });

    it('says what to do after close', async () => {
      const t = memoryTransport();
      await t.close();
      await refused(() => t.publish('a', numbered(1)), 'CLOSED', /closed.*memoryTransport\(\)/);
      await refused(
        () => t.subscribe('a', () => undefined),
        'CLOSED',
        /closed.*memoryTransport\(\)/,
      );
    });
  });

  describe('arguments', () => {
    const noop = (): void => undefined;
    const topics: Array<[unknown, 'publish' | 'subscribe' | 'both', RegExp]> = [
      ['', 'both', /non-empty string of dot-separated tokens/],
      [42, 'both', /non-empty string.*got 42/],
      ['a b', 'both', /contains whitespace/],
      ['a\nb', 'both', /contains whitespace/],
      ['a..b', 'both', /empty token \(token 2\)/],
      ['.a', 'both', /empty token \(token 1\).*leading, trailing or doubled dot/],
      ['a.', 'both', /empty token \(token 2\)/],
      ['a.>.b', 'subscribe', /">" before its end.*only be the last token/],
      ['a.b*', 'both', /"b\*".*must be whole tokens/],
      ['a.>x', 'both', /">x".*must be whole tokens/],
      ['a.*', 'publish', /wildcards .* are for subscribing; publish to a concrete topic/],
      ['a.>', 'publish', /publish to a concrete topic/],
    ];

    it.each(topics)('refuses topic %j (%s) and says what is wrong', async (topic, use, text) => {
      const t = memoryTransport();
      if (use !== 'subscribe')
        await refused(() => t.publish(topic as string, numbered(1)), 'INVALID_ARGUMENT', text);
      if (use !== 'publish')
        await refused(() => t.subscribe(topic as string, noop), 'INVALID_ARGUMENT', text);
      await t.close();
    });

    it('refuses bad queue names and handlers', async () => {
      const t = memoryTransport();
      await refused(
        () => t.subscribe('a', noop, { queue: '' }),
        'INVALID_ARGUMENT',
        /Queue group name "" is not valid/,
      );
      await refused(
        () => t.subscribe('a', noop, { queue: 'two words' }),
        'INVALID_ARGUMENT',
        /without whitespace/,
      );
      await refused(
        () => t.subscribe('a', 'nope' as never),
        'INVALID_ARGUMENT',
        /needs a handler function/,
      );
      await t.close();
    });

    it.each([
      [{ maxInFlight: 0 }, /"maxInFlight" must be a whole number ≥ 1, got 0/],
      [{ maxInFlight: 1.5 }, /"maxInFlight" must be a whole number/],
      [{ redelivery: { attempts: 0 } }, /"redelivery.attempts" must be a whole number ≥ 1/],
      [{ redelivery: { backoffMs: -1 } }, /"redelivery.backoffMs" must be a number ≥ 0/],
      [{ redelivery: { backoffMs: Number.NaN } }, /"redelivery.backoffMs"/],
      [{ deadLetter: 'queue' as never }, /"deadLetter" must be a function/],
    ] satisfies Array<[MemoryTransportOptions, RegExp]>)(
      'refuses options %j',
      async (options, text) => {
        await refused(() => memoryTransport(options), 'INVALID_ARGUMENT', text);
      },
    );
  });
});
