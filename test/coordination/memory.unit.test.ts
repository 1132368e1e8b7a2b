/** The work coordinator on the memory driver: the lease suite, and several apps on one driver. */
import { describe, expect, it } from 'vitest';
import { leaseConformance } from '../../js/conformance/lease.ts';
import { isWhizbangError, memoryDriver, memoryLeases, whizbang } from '../../js/mod.ts';
import {
  coordinatedShareAndHandOver,
  takeoverAfterSilence,
  uncoordinatedStillOnce,
} from './scenarios.ts';

leaseConformance('memory', () => {
  const leases = memoryLeases();
  return { a: leases, b: leases };
});

describe('work coordinator on one memory driver', () => {
  it('applies each event once with two uncoordinated instances', async () => {
    const driver = memoryDriver();
    await uncoordinatedStillOnce(() => ({ ...driver, close: () => {} }));
  });

  it('shares the perspectives between two instances and hands them over', async () => {
    const driver = memoryDriver();
    await coordinatedShareAndHandOver(() => ({ ...driver, close: () => {} }));
  });

  it('takes over the work of a silent owner once its lease expires', async () => {
    const driver = memoryDriver();
    await takeoverAfterSilence(
      () => ({ ...driver, close: () => {} }),
      async (name, ttl) => {
        expect(driver.leases.acquire(name, 'ghost', ttl)).toBeDefined();
      },
    );
  });

  it('refuses coordinate on a driver without leases, and bad settings', () => {
    const { leases: _, ...bare } = memoryDriver();
    for (const [driver, coordinate] of [
      [bare, true],
      [memoryDriver(), { ttlMs: 100, heartbeatMs: 100 }],
      [memoryDriver(), { ttlMs: -1 }],
    ] as const) {
      let error: unknown;
      try {
        whizbang('x').build({ driver, coordinate });
      } catch (e) {
        error = e;
      }
      expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});
