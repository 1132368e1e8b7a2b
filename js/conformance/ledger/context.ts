/** What every part of the Ledger conformance suite is given. */
import type { DriverBox, DriverFactory } from '../helpers.ts';

/** Knobs a driver may turn when it runs the Ledger suite. */
export interface LedgerConformanceOptions {
  /** fast-check runs per property (default 50). */
  readonly numRuns?: number;
  /** How many appends race at once in the concurrency tests (default 12). */
  readonly racers?: number;
  /** How long to wait for something that must not happen, in ms (default 25). */
  readonly quietMs?: number;
  /**
   * @deprecated No longer read: every driver refuses U+0000 (and unpaired surrogates) in ids,
   * types and tenants with INVALID_ARGUMENT, writing nothing (`checkId` in `whizbang/kit`).
   */
  readonly nulInText?: boolean;
}

/** The running test's driver, the factory (for property runs) and the resolved options. */
export interface LedgerContext {
  readonly driver: DriverBox;
  readonly factory: DriverFactory;
  readonly options: Required<LedgerConformanceOptions>;
}

/** One part of the suite: registers its `describe` block. */
export type LedgerSuite = (context: LedgerContext) => void;
