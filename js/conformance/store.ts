/**
 * The PerspectiveStore conformance suite: every driver runs it unchanged.
 * @module
 */
import { describe } from 'vitest';
import { type DriverFactory, useDriver } from './helpers.ts';
import { liveSuite } from './store/live.ts';
import { pagingSuite } from './store/paging.ts';
import { querySuite } from './store/query.ts';
import { writeSuite } from './store/write.ts';

/**
 * Registers the perspective store conformance tests (writes, transactions, lens queries, indexed queries and paging, live lenses) for the
 * driver `factory` makes, fresh per test.
 *
 * @example
 * ```ts
 * // test/my-driver.unit.test.ts
 * import { storeConformance } from 'whizbang/conformance';
 * import { myDriver } from '../src/mod.ts';
 *
 * storeConformance('my driver', () => myDriver());
 * ```
 */
export function storeConformance(name: string, factory: DriverFactory): void {
  describe(`${name}: perspective store conformance`, () => {
    const driver = useDriver(factory);
    writeSuite(driver);
    querySuite(driver);
    liveSuite(driver);
    pagingSuite(driver);
  });
}
