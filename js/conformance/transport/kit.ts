/**
 * Tools of the Transport suite: readable envelopes, a topic root per test (so tests sharing a
 * server never see each other's messages), recorders and waits that poll instead of timing.
 */
import { faker } from '@faker-js/faker';
import { sleep } from '../helpers.ts';
import type {
  Transport,
  TransportHandler,
  TransportSubscribeOptions,
  TransportSubscription,
  WireEnvelope,
  WireHop,
} from '../whizbang.ts';
import type { TransportContext } from './context.ts';

type Options = TransportContext['options'];

/** A fresh topic prefix, unique to the calling test. */
export function topicRoot(): string {
  return `conformance.${faker.string.alpha({ length: 12, casing: 'lower' })}`;
}

function hex(length: number): string {
  return faker.string.hexadecimal({ length, casing: 'lower', prefix: '' });
}

function traceparent(): string {
  return `00-${hex(32)}-${hex(16)}-01`;
}

function hop(topic: string): WireHop {
  return {
    where: faker.helpers.arrayElement(['dispatcher', 'outbox', 'receptor']),
    service: faker.internet.domainWord(),
    topic,
    streamId: `account-${faker.string.alphanumeric(8)}`,
    at: faker.date.recent().getTime(),
    durationMs: faker.number.float({ min: 0, max: 50, fractionDigits: 3 }),
    decisions: [
      { policy: 'retry', decision: 'attempt 1 of 3' },
      { policy: 'timeout', decision: 'within 500 ms', detail: faker.lorem.sentence() },
    ],
    traceparent: traceparent(),
  };
}

/** A complete envelope with every optional field set and two hops; readable data unless given. */
export function wireEnvelope(...data: [] | [unknown]): WireEnvelope {
  return {
    message: {
      kind: 'event',
      type: faker.helpers.arrayElement(['Deposited', 'Withdrawn', 'Renamed']),
      data:
        data.length > 0
          ? data[0]
          : {
              amount: faker.number.int({ min: 1, max: 10_000 }),
              by: faker.person.fullName(),
              note: faker.lorem.sentence(),
            },
    },
    messageId: faker.string.uuid(),
    correlationId: faker.string.uuid(),
    causationId: faker.string.uuid(),
    streamId: `account-${faker.string.alphanumeric(10)}`,
    tenant: faker.helpers.arrayElement(['default', 'acme', 'globex']),
    timestamp: faker.date.recent().getTime(),
    traceparent: traceparent(),
    hops: [hop('accounts.commands'), hop('accounts.events')],
    version: faker.number.int({ min: 1, max: 500 }),
    position: faker.number.int({ min: 1, max: 1_000_000 }),
  };
}

/** A small envelope carrying the number `n`, to check order and completeness. */
export function numbered(n: number, topic = ''): WireEnvelope {
  return {
    message: { kind: 'event', type: 'Numbered', data: { n, topic } },
    messageId: faker.string.uuid(),
    correlationId: 'c',
    causationId: 'c',
    tenant: 'default',
    timestamp: 1_700_000_000_000 + n,
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    hops: [],
  };
}

/** The number an envelope from {@link numbered} carries. */
export function numberOf(envelope: WireEnvelope): number {
  return (envelope.message.data as { n: number }).n;
}

/** What a subscriber received, in arrival order. */
export interface Recorder {
  readonly handler: TransportHandler;
  readonly received: Array<{ readonly envelope: WireEnvelope; readonly topic: string }>;
  numbers(): number[];
}

/** Records every delivery; `react` may fail it or take its time. */
export function recorder(react?: (envelope: WireEnvelope, topic: string) => unknown): Recorder {
  const received: Array<{ envelope: WireEnvelope; topic: string }> = [];
  return {
    received,
    async handler(envelope, topic) {
      await react?.(envelope, topic);
      received.push({ envelope, topic });
    },
    numbers: () => received.map((r) => numberOf(r.envelope)),
  };
}

/** Subscribes and waits until the subscription is live. */
export async function live(
  transport: Transport,
  options: Options,
  topic: string,
  handler: TransportHandler,
  subscribe?: TransportSubscribeOptions,
): Promise<TransportSubscription> {
  const sub = await transport.subscribe(topic, handler, subscribe);
  if (options.settleMs > 0) await sleep(options.settleMs);
  return sub;
}

/** Publishes the numbers `from..to` in order, waiting for each publish. */
export async function publishNumbers(
  transport: Transport,
  topic: string,
  from: number,
  to: number,
): Promise<void> {
  for (let n = from; n <= to; n++) await transport.publish(topic, numbered(n, topic));
}

/** Waits until `check` holds, polling; fails with `what()` after `timeoutMs`. */
export async function until(
  options: Options,
  check: () => boolean,
  what: () => string,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${options.timeoutMs} ms: ${what()}`);
    await sleep(2);
  }
}

/** Gives something that must not happen the time to happen anyway. */
export function quiet(options: Options): Promise<void> {
  return sleep(options.quietMs + options.settleMs);
}

/** A promise a test opens when it wants. */
export interface Gate {
  readonly wait: Promise<void>;
  open(): void;
}

/** A closed {@link Gate}. */
export function gate(): Gate {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** Groups deliveries by topic, keeping arrival order. */
export function byTopic(received: Recorder['received']): Map<string, number[]> {
  const map = new Map<string, number[]>();
  for (const { envelope, topic } of received) {
    const list = map.get(topic) ?? [];
    list.push(numberOf(envelope));
    map.set(topic, list);
  }
  return map;
}
