/** Waiting on the platform's timers: a pause, and a promise raced against a deadline. */
import { platform, type Timer } from './platform.ts';

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => platform.setTimeout(resolve, ms));

/** `work`'s outcome, or a rejection with `late()` when it has not settled within `ms`. */
export function within<T>(work: PromiseLike<T>, ms: number, late: () => Error): Promise<T> {
  let timer: Timer | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = platform.setTimeout(() => reject(late()), ms);
  });
  return Promise.race([work, expired]).finally(() => platform.clearTimeout(timer));
}
