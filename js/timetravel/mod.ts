/**
 * Time travel: the perspectives' models as of any position of the ledger, with checkpoints so a
 * jump does not replay from the start, and diffs between two positions.
 *
 * @example
 * ```ts
 * import { timeTravel } from 'whizbang/timetravel';
 *
 * const travel = timeTravel({ ledger: app.ledger, perspectives: [balances] });
 * const then = await travel.at(120);
 * console.log(await then.lens(balances).get('account-1'));
 * ```
 * @module
 */

export type { ModelChange, ModelPath } from './diff.ts';
export { diffValues } from './diff.ts';
export { timeTravel } from './travel.ts';
export type {
  ModelDiff,
  TenantOption,
  TimeTraveler,
  TimeTravelOptions,
  TimeView,
} from './types.ts';
