/**
 * The Ledger conformance suite: every driver runs it unchanged.
 * @module
 */
import { describe } from 'vitest';
import { type DriverFactory, useDriver } from './helpers.ts';
import { appendSuite } from './ledger/append.ts';
import { concurrentSuite } from './ledger/concurrent.ts';
import type { LedgerConformanceOptions, LedgerSuite } from './ledger/context.ts';
import { expectedVersionSuite } from './ledger/expected-version.ts';
import { propertySuite } from './ledger/properties.ts';
import { readSuite } from './ledger/read.ts';
import { subscriptionSuite } from './ledger/subscription.ts';
import { transactionSuite } from './ledger/transaction.ts';

export type { LedgerConformanceOptions } from './ledger/context.ts';

const SUITES: readonly LedgerSuite[] = [
  appendSuite,
  readSuite,
  expectedVersionSuite,
  transactionSuite,
  subscriptionSuite,
  propertySuite,
  concurrentSuite,
];

/**
 * Registers the Ledger conformance tests for the driver `factory` makes: a fresh, empty one per
 * test (a sync driver may return it directly), closed after it.
 *
 * @example
 * ```ts
 * // test/my-driver.unit.test.ts
 * import { ledgerConformance } from 'whizbang/conformance';
 * import { myDriver } from '../src/mod.ts';
 *
 * ledgerConformance('my driver', () => myDriver({ path: `${crypto.randomUUID()}.db` }), {
 *   numRuns: 20, // fewer property runs for a slow database
 * });
 * ```
 */
export function ledgerConformance(
  name: string,
  factory: DriverFactory,
  options: LedgerConformanceOptions = {},
): void {
  describe(`${name}: ledger conformance`, () => {
    const driver = useDriver(factory);
    const context = {
      driver,
      factory,
      options: {
        numRuns: options.numRuns ?? 50,
        racers: options.racers ?? 12,
        quietMs: options.quietMs ?? 25,
        nulInText: options.nulInText ?? true,
      },
    };
    for (const suite of SUITES) suite(context);
  });
}
