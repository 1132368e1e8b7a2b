/**
 * Optimistic retries: a D1 batch whose guard failed (something it was decided on moved) is decided
 * again on fresh reads, a few times, with a short random pause against lockstep.
 */
import { WhizbangError } from '../../../js/mod.ts';
import { isMoved } from './errors.ts';

/** How many times a transaction is decided before it gives up with BUSY. */
export const ATTEMPTS = 25;

const pause = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** Runs `attempt` until it commits, again while its batch failed a guard; BUSY after too many. */
export async function decided<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isMoved(error)) throw error;
      if (n >= ATTEMPTS) {
        throw new WhizbangError(
          'BUSY',
          `The D1 database kept changing under this write (${n} attempts). Try again; nothing was kept.`,
          { cause: error },
        );
      }
      await pause(Math.random() * Math.min(2 ** n, 50));
    }
  }
}
