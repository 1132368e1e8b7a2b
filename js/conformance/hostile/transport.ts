/**
 * The hostile-input suite of a transport: hostile topics and envelopes whose data no wire carries
 * alike (BigInt, cycles, deep, huge, U+0000). Each publish is delivered as the memory transport
 * delivers it, or refused with a coded error — never a raw error, a crash or a hang.
 */
import { describe, expect, it } from 'vitest';
import { type Limits, limitsOf } from '../../kit/mod.ts';
import { sleep } from '../helpers.ts';
import type { Transport, WireEnvelope } from '../whizbang.ts';
import { memoryTransport, uuidv7 } from '../whizbang.ts';
import { hostileIds, hostilePayloads } from './inputs.ts';
import { type Outcome, outcome } from './outcome.ts';

/** Makes a fresh transport for one test. */
export type HostileTransportFactory = () => Promise<Transport> | Transport;

/** Knobs of {@link hostileTransportConformance}. */
export interface HostileTransportOptions {
  /** How long a delivery may take, ms (default 3 000); no delivery and no refusal is a hang. */
  readonly timeoutMs?: number;
  /** How long a new subscription may take to become live, ms (default 0; NATS: a round trip). */
  readonly settleMs?: number;
  /** The limits the payloads are made against (default `DEFAULT_LIMITS`). */
  readonly limits?: Partial<Limits>;
}

function envelope(data: unknown): WireEnvelope {
  return {
    message: { kind: 'event', type: 'Hostile', data } as never,
    messageId: uuidv7(),
    correlationId: 'c',
    causationId: 'c',
    tenant: 'default',
    timestamp: 0,
    traceparent: '',
    hops: [],
  };
}

/** Publishes `data` on a fresh topic and waits for its delivery: the data delivered, or a refusal. */
async function roundTrip(
  transport: Transport,
  topic: string,
  data: unknown,
  timeoutMs: number,
  settleMs: number,
): Promise<Outcome> {
  let delivered: (value: unknown) => void = () => {};
  const arrived = new Promise<unknown>((resolve) => {
    delivered = resolve;
  });
  const subscription = await transport.subscribe(topic, (e) => delivered(e.message.data));
  try {
    if (settleMs > 0) await sleep(settleMs);
    const published = await outcome(() => transport.publish(topic, envelope(data)), timeoutMs);
    if (published.refused !== undefined || published.broken !== undefined) return published;
    return await outcome(() => arrived, timeoutMs);
  } finally {
    await subscription.close();
  }
}

/**
 * Registers the hostile-input tests of a transport `factory` makes, fresh per test.
 *
 * @example
 * ```ts
 * import { hostileTransportConformance } from 'whizbang/conformance';
 * import { myTransport } from '../src/mod.ts';
 *
 * hostileTransportConformance('my transport', () => myTransport());
 * ```
 */
export function hostileTransportConformance(
  name: string,
  factory: HostileTransportFactory,
  options: HostileTransportOptions = {},
): void {
  const limits = limitsOf(options.limits ?? {});
  const timeoutMs = options.timeoutMs ?? 3_000;
  const settleMs = options.settleMs ?? 0;

  describe(`${name}: hostile-input conformance`, () => {
    it('hostile topics: the memory transport’s answer, or a coded refusal', async () => {
      const subject = await factory();
      const reference = memoryTransport();
      try {
        for (const topic of [
          ...hostileIds(limits),
          'a..b',
          'a.*',
          '>',
          'a.>.b',
          ' x',
          'ok.topic',
        ]) {
          const handler = () => {};
          for (const call of [
            (t: Transport) => t.publish(topic as string, envelope({ n: 1 })),
            async (t: Transport) => (await t.subscribe(topic as string, handler)).close(),
          ]) {
            const got = await outcome(() => call(subject), timeoutMs);
            const expected = await outcome(() => call(reference), timeoutMs);
            expect(got.broken).toBeUndefined();
            if (got.refused === undefined) expect(expected.refused).toBeUndefined();
            else if (expected.refused !== undefined) expect(got.refused).toBe(expected.refused);
          }
        }
      } finally {
        await subject.close?.();
        await reference.close?.();
      }
    });

    it('envelopes with hostile data: delivered as the memory transport delivers them, or a coded refusal', async () => {
      const subject = await factory();
      const reference = memoryTransport();
      try {
        let n = 0;
        for (const make of hostilePayloads(limits)) {
          const topic = `hostile.data.${++n}`;
          const data = make();
          const got = await roundTrip(subject, topic, data, timeoutMs, settleMs);
          const expected = await roundTrip(reference, topic, data, timeoutMs, 0);
          expect(got.broken).toBeUndefined();
          if (got.refused !== undefined) continue; // a wire's own bound (a broker's largest message)
          expect(expected.refused).toBeUndefined();
          // as JSON text: a deep value would take a deep comparison past the stack
          expect(JSON.stringify(got.value)).toBe(JSON.stringify(expected.value));
        }
      } finally {
        await subject.close?.();
        await reference.close?.();
      }
    });
  });
}
