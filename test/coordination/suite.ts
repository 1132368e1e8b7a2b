/**
 * The coordination scenarios every driver runs, registered once: each test opens its instances
 * on a fresh place (a schema, a file, a driver) that `fresh` hands out.
 */
import { it } from 'vitest';
import type { Driver } from '../../js/mod.ts';
import {
  coordinatedShareAndHandOver,
  oneRelayAtATime,
  partitionedShare,
  takeoverAfterSilence,
  uncoordinatedStillOnce,
} from './scenarios.ts';
import { schedulesSurviveAndFireOnce } from './schedule-scenario.ts';

/** Opens one more instance's driver on one place. */
export type Open = () => Driver | Promise<Driver>;

/**
 * Registers the scenarios on places from `fresh`. With `ghost`, also the takeover from a silent
 * owner: a driver of its own on the place takes a lease and never beats.
 */
export function coordinationScenarios(fresh: () => Open, ghost: boolean): void {
  it('applies each event once with two uncoordinated instances', async () => {
    await uncoordinatedStillOnce(fresh());
  });

  it('shares the perspectives between two instances and hands them over', async () => {
    await coordinatedShareAndHandOver(fresh());
  });

  it('splits a perspective into partitions shared by two instances', async () => {
    await partitionedShare(fresh());
  });

  it('runs one relay at a time, and every record goes out once', async () => {
    await oneRelayAtATime(fresh());
  });

  it('keeps scheduled commands and saga timeouts across restarts, and sends each once', async () => {
    await schedulesSurviveAndFireOnce(fresh());
  });

  if (!ghost) return;
  it('takes over the work of a silent owner once its lease expires', async () => {
    const open = fresh();
    const silent = await open();
    try {
      await takeoverAfterSilence(open, async (lease, ttl) => {
        await silent.leases!.acquire(lease, 'ghost', ttl);
      });
    } finally {
      await silent.close?.();
    }
  });
}
