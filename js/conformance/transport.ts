/**
 * The Transport conformance suite: every transport runs it unchanged. Each test gets a fresh
 * transport and its own topic root, waits by polling (never by a transport's timing) and closes
 * the transport after.
 * @module
 */
import { describe } from 'vitest';
import { concurrencySuite } from './transport/concurrency.ts';
import {
  type TransportConformanceOptions,
  type TransportFactory,
  type TransportSuite,
  useTransport,
} from './transport/context.ts';
import { deliverySuite } from './transport/delivery.ts';
import { durabilitySuite } from './transport/durability.ts';
import { groupSuite } from './transport/groups.ts';
import { lifecycleSuite } from './transport/lifecycle.ts';
import { reliabilitySuite } from './transport/reliability.ts';
import { requestSuite } from './transport/requests.ts';
import { wildcardSuite } from './transport/wildcards.ts';
import type { Transport } from './whizbang.ts';

export type {
  TransportConformanceOptions,
  TransportFactory,
  TransportSettings,
} from './transport/context.ts';

const SUITES: readonly TransportSuite[] = [
  deliverySuite,
  wildcardSuite,
  groupSuite,
  reliabilitySuite,
  lifecycleSuite,
  concurrencySuite,
  requestSuite,
  durabilitySuite,
];

/**
 * Registers the Transport conformance tests for the transports `factory` makes, fresh per test and
 * configured with the suite's `maxInFlight`.
 *
 * @example
 * ```ts
 * // test/my-transport.unit.test.ts
 * import { transportConformance } from 'whizbang/conformance';
 * import { myTransport } from '../src/mod.ts';
 *
 * transportConformance('my transport', ({ maxInFlight }) => myTransport({ maxInFlight }), {
 *   settleMs: 20, // a new subscription is live after a round trip
 *   requests: true, // it offers request/reply
 * });
 * ```
 */
export function transportConformance(
  name: string,
  factory: TransportFactory,
  options: TransportConformanceOptions = {},
): void {
  describe(`${name}: transport conformance`, () => {
    const resolved = {
      maxInFlight: options.maxInFlight ?? 8,
      settleMs: options.settleMs ?? 0,
      timeoutMs: options.timeoutMs ?? 5_000,
      quietMs: options.quietMs ?? 50,
      numRuns: options.numRuns ?? 15,
      backPressure: options.backPressure ?? true,
      requests: options.requests ?? false,
      stores: options.stores ?? false,
    };
    const make = async (): Promise<Transport> => factory({ maxInFlight: resolved.maxInFlight });
    const context = { transport: useTransport(make), factory: make, options: resolved };
    for (const suite of SUITES) suite(context);
  });
}
