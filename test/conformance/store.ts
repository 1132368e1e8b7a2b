/**
 * The PerspectiveStore conformance suite: every driver runs it unchanged.
 * @example
 * // test/conformance/memory.unit.test.ts
 * storeConformance('memory', () => memoryDriver());
 * @module
 */
import { describe } from 'vitest';
import { type DriverFactory, useDriver } from './helpers.ts';
import { querySuite } from './store/query.ts';
import { writeSuite } from './store/write.ts';

/** Registers the perspective store conformance tests for the driver `factory` makes. */
export function storeConformance(name: string, factory: DriverFactory): void {
  describe(`${name}: perspective store conformance`, () => {
    const driver = useDriver(factory);
    writeSuite(driver);
    querySuite(driver);
  });
}
