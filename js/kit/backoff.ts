/** A wait between redeliveries that a closing subscription can cut short. */

import { platform } from '../util/platform.ts';

/**
 * Waits `ms` before a redelivery; `holder.wake()` ends the wait at once (the subscription is
 * closing). Shared by the transports' retry loops.
 */
export function backoffSleep(
  holder: { wake: (() => void) | undefined },
  ms: number,
): Promise<void> {
  return new Promise((resolve) => {
    const timer = platform.setTimeout(() => {
      holder.wake = undefined;
      resolve();
    }, ms);
    holder.wake = () => {
      platform.clearTimeout(timer);
      holder.wake = undefined;
      resolve();
    };
  });
}
