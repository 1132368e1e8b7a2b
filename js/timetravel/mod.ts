/**
 * Time travel through the ledger: perspectives' models as of any position, stepping forward and
 * back, and structured diffs of a model between two positions.
 * @example
 * import { timeTravel } from 'whizbang';
 * const tt = timeTravel({ ledger: app.ledger, perspectives: app.perspectives.values() });
 * const view = await tt.at(42);
 * console.log(view.get(accounts, 'a-1'), view.event?.type);
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
