/**
 * Request/reply, an optional capability: a transport with `request` and `respond` answers each
 * request once (one member of a queue group), carries the responder's value or its typed error
 * back, and says NO_RESPONDER or REQUEST_TIMEOUT when no answer can come.
 */
import { describe, expect, it } from 'vitest';
import { caught, range, sleep } from '../helpers.ts';
import type { Transport, TransportResponder, WireEnvelope } from '../whizbang.ts';
import {
  ConcurrencyError,
  isConcurrencyError,
  isRemoteError,
  isWhizbangError,
  WhizbangError,
} from '../whizbang.ts';
import type { TransportContext } from './context.ts';
import { gate, numbered, numberOf, topicRoot, wireEnvelope } from './kit.ts';

type Replying = Transport & Required<Pick<Transport, 'request' | 'respond'>>;

function replying(t: Transport): Replying {
  if (t.request === undefined || t.respond === undefined) throw new Error('no request/reply');
  return t as Replying;
}

function codeOf(error: unknown): string {
  return isWhizbangError(error) ? error.code : String(error);
}

/** Registers the request/reply tests; with `requests: false`, that neither half is offered. */
export function requestSuite({ transport, options }: TransportContext): void {
  const answers = async (
    t: Replying,
    topic: string,
    responder: TransportResponder,
    queue?: string,
  ) => {
    const sub = await t.respond(topic, responder, queue === undefined ? {} : { queue });
    if (options.settleMs > 0) await sleep(options.settleMs);
    return sub;
  };

  if (!options.requests) {
    describe('request/reply', () => {
      it('is offered whole or not at all: this transport offers neither part', () => {
        expect(transport.current.request).toBeUndefined();
        expect(transport.current.respond).toBeUndefined();
      });
    });
    return;
  }

  describe('request/reply', () => {
    it('resolves with what the responder returned, which saw the envelope and topic', async () => {
      const t = replying(transport.current);
      const root = topicRoot();
      const seen: Array<{ envelope: WireEnvelope; topic: string }> = [];
      await answers(t, `${root}.*`, (envelope, topic) => {
        seen.push({ envelope, topic });
        return { echoed: envelope.message.data, topic };
      });
      const sent = wireEnvelope();
      const value = await t.request(`${root}.charge`, sent);
      expect(value).toEqual({ echoed: sent.message.data, topic: `${root}.charge` });
      expect(seen).toHaveLength(1);
      expect(seen[0]!.envelope).toEqual(sent);
      expect(await t.request(`${root}.nothing`, numbered(1))).toEqual({
        echoed: { n: 1, topic: '' },
        topic: `${root}.nothing`,
      });
    });

    it('has one member of a queue group answer each request: every request once', async () => {
      const t = replying(transport.current);
      const topic = `${topicRoot()}.invoke`;
      const calls = [0, 0];
      const handled: number[] = [];
      for (const i of [0, 1]) {
        await answers(
          t,
          topic,
          async (envelope) => {
            calls[i]!++;
            handled.push(numberOf(envelope));
            await sleep(1);
            return numberOf(envelope) * 2;
          },
          'payments',
        );
      }
      const total = 24;
      const values = await Promise.all(range(1, total).map((n) => t.request(topic, numbered(n))));
      expect(values).toEqual(range(1, total).map((n) => n * 2));
      expect(handled.sort((a, b) => a - b)).toEqual(range(1, total));
      expect(calls[0]! + calls[1]!).toBe(total);
      expect(calls[0]).toBeGreaterThan(0); // both compete (a random split on NATS)
      expect(calls[1]).toBeGreaterThan(0);
    });

    it('carries a thrown error back typed: same code, message and fields', async () => {
      const t = replying(transport.current);
      const root = topicRoot();
      await answers(t, `${root}.conflict`, () => {
        throw new ConcurrencyError('account-7', 3, 5);
      });
      await answers(t, `${root}.plain`, async () => {
        await sleep(0);
        throw Object.assign(new RangeError('Insufficient funds'), { code: 'INSUFFICIENT' });
      });
      await answers(t, `${root}.closed`, () => {
        throw new WhizbangError('CLOSED', 'The app is closed.');
      });
      const conflict = await caught(() => t.request(`${root}.conflict`, numbered(1)));
      expect(isConcurrencyError(conflict)).toBe(true);
      expect(conflict).toMatchObject({ streamId: 'account-7', expected: 3, actual: 5 });
      expect((conflict as Error).message).toBe(new ConcurrencyError('account-7', 3, 5).message);
      const plain = await caught(() => t.request(`${root}.plain`, numbered(2)));
      expect(isRemoteError(plain)).toBe(true);
      expect(plain).toMatchObject({
        code: 'REMOTE_FAILED',
        message: 'Insufficient funds',
        remoteName: 'RangeError',
        remoteCode: 'INSUFFICIENT',
        topic: `${root}.plain`,
      });
      const closed = await caught(() => t.request(`${root}.closed`, numbered(3)));
      expect(codeOf(closed)).toBe('CLOSED');
      expect((closed as Error).message).toBe('The app is closed.');
    });

    it('says NO_RESPONDER when nobody answers, also after the responder closed', async () => {
      const t = replying(transport.current);
      const topic = `${topicRoot()}.nobody`;
      const missing = await caught(() => t.request(topic, numbered(1), { timeoutMs: 4_000 }));
      expect(codeOf(missing)).toBe('NO_RESPONDER');
      expect((missing as Error).message).toContain(topic);
      const sub = await answers(t, topic, () => 'here');
      expect(await t.request(topic, numbered(2))).toBe('here');
      await sub.close();
      if (options.settleMs > 0) await sleep(options.settleMs);
      expect(codeOf(await caught(() => t.request(topic, numbered(3))))).toBe('NO_RESPONDER');
    });

    it('says REQUEST_TIMEOUT when the answer does not come in time', async () => {
      const t = replying(transport.current);
      const topic = `${topicRoot()}.slow`;
      const hold = gate();
      await answers(t, topic, async () => {
        await hold.wait;
        return 'late';
      });
      const late = await caught(() => t.request(topic, numbered(1), { timeoutMs: 50 }));
      expect(codeOf(late)).toBe('REQUEST_TIMEOUT');
      expect((late as Error).message).toMatch(/within 50 ms/);
      hold.open();
      expect(await t.request(topic, numbered(2))).toBe('late');
    });

    it('returns undefined as undefined, and refuses an answer JSON cannot carry', async () => {
      const t = replying(transport.current);
      const root = topicRoot();
      await answers(t, `${root}.void`, () => undefined);
      await answers(t, `${root}.big`, () => 10n);
      expect(await t.request(`${root}.void`, numbered(1))).toBeUndefined();
      const refused = await caught(() => t.request(`${root}.big`, numbered(2)));
      expect(codeOf(refused)).toBe('INVALID_ARGUMENT');
      expect((refused as Error).message).toMatch(/cannot be sent as JSON/);
    });

    it('refuses requests and responders with CLOSED once the transport is closed', async () => {
      const t = replying(transport.current);
      const topic = `${topicRoot()}.late`;
      await answers(t, topic, () => 'open');
      expect(await t.request(topic, numbered(1))).toBe('open');
      await t.close?.();
      expect(codeOf(await caught(() => t.request(topic, numbered(2))))).toBe('CLOSED');
      expect(codeOf(await caught(() => t.respond(topic, () => 1)))).toBe('CLOSED');
    });

    it('checks its input: topics, timeouts, responders and queue names', async () => {
      const t = replying(transport.current);
      const root = topicRoot();
      for (const bad of [`${root}.*`, '', 'a..b']) {
        expect(codeOf(await caught(() => t.request(bad, numbered(1))))).toBe('INVALID_ARGUMENT');
      }
      for (const timeoutMs of [0, -1, 1.5, Number.NaN]) {
        const error = await caught(() => t.request(`${root}.x`, numbered(1), { timeoutMs }));
        expect(codeOf(error)).toBe('INVALID_ARGUMENT');
        expect((error as Error).message).toMatch(/timeoutMs/);
      }
      const noFn = await caught(() => t.respond(`${root}.x`, 'nope' as never));
      expect(codeOf(noFn)).toBe('INVALID_ARGUMENT');
      const badQueue = await caught(() => t.respond(`${root}.x`, () => 1, { queue: 'a b' }));
      expect(codeOf(badQueue)).toBe('INVALID_ARGUMENT');
    });
  });
}
