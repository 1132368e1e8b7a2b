/** Test doubles around a real ledger. */
import type { AppendResult, Ledger } from '../../js/contracts/ledger.ts';

/**
 * `ledger` whose appends call `after` once the commit is stored and before its answer returns:
 * `after` may throw (an answer lost on the way) or end the process (a crash right after a push).
 */
export function afterAppend(
  ledger: Ledger,
  after: (result: AppendResult) => void | Promise<void>,
): Ledger {
  return {
    ...ledger,
    readStream: (...args) => ledger.readStream(...args),
    readAll: (...args) => ledger.readAll(...args),
    streamVersion: (...args) => ledger.streamVersion(...args),
    headPosition: () => ledger.headPosition(),
    watch: (listener) => ledger.watch(listener),
    async append(...args) {
      const result = await ledger.append(...args);
      await after(result);
      return result;
    },
  };
}
