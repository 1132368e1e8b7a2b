/** What every part of the Transport conformance suite is given, and a fresh transport per test. */
import { afterEach, beforeEach } from 'vitest';
import type { Transport } from '../whizbang.ts';

/** What the suite asks of the transports a factory makes. */
export interface TransportSettings {
  /** The back-pressure bound: envelopes one subscription may hold, the one in hand included. */
  readonly maxInFlight: number;
}

/**
 * Makes a fresh transport configured with `settings`. It must redeliver a failed envelope at
 * least 3 times, with a short backoff (the suite waits `timeoutMs` at most).
 */
export type TransportFactory = (settings: TransportSettings) => Promise<Transport> | Transport;

/** Knobs an adapter may turn when it runs the Transport suite. */
export interface TransportConformanceOptions {
  /** The back-pressure bound handed to the factory (default 8). */
  readonly maxInFlight?: number;
  /** How long a new subscription may take to become live, in ms (default 0; NATS: a round trip). */
  readonly settleMs?: number;
  /** How long to wait for something that must happen, in ms (default 5000). */
  readonly timeoutMs?: number;
  /** How long to wait for something that must not happen, in ms (default 50, plus `settleMs`). */
  readonly quietMs?: number;
  /** fast-check runs per property (default 15). */
  readonly numRuns?: number;
  /**
   * Whether `publish` waits while a subscription holds `maxInFlight` envelopes (default true).
   * A transport over a broker that takes what is published without asking the subscriber (core
   * NATS, JetStream: the publisher hears from the server, never from the subscriber) says false;
   * the suite then checks that slow subscribers still get everything, in order, once.
   */
  readonly backPressure?: boolean;
  /** Whether the transport offers request/reply (`request` and `respond`; default false). */
  readonly requests?: boolean;
  /**
   * Whether it stores envelopes for queue groups (JetStream; default false): a group then gets
   * what was published before it first listened, and while it was away.
   */
  readonly stores?: boolean;
}

/** The transport of the running test. */
export interface TransportBox {
  readonly current: Transport;
}

/** The running test's transport, the factory (for property runs) and the resolved options. */
export interface TransportContext {
  readonly transport: TransportBox;
  readonly factory: () => Promise<Transport>;
  readonly options: Required<TransportConformanceOptions>;
}

/** One part of the suite: registers its `describe` block. */
export type TransportSuite = (context: TransportContext) => void;

/** Gives every test in the enclosing `describe` a fresh transport, closed after the test. */
export function useTransport(factory: () => Promise<Transport>): TransportBox {
  let transport: Transport | undefined;
  beforeEach(async () => {
    transport = await factory();
  });
  afterEach(async () => {
    const open = transport;
    transport = undefined;
    await open?.close?.();
  });
  return {
    get current(): Transport {
      if (transport === undefined) throw new Error('No transport: use it inside a test.');
      return transport;
    },
  };
}

/** Runs `fn` with a fresh transport and closes it after, for property runs. */
export async function withTransport<T>(
  factory: () => Promise<Transport>,
  fn: (transport: Transport) => Promise<T>,
): Promise<T> {
  const transport = await factory();
  try {
    return await fn(transport);
  } finally {
    await transport.close?.();
  }
}
