/**
 * The offline sync conformance suite: every local driver that can sync (SQLite, IndexedDB) runs it
 * unchanged, against a shared log (the memory ledger in fast runs, JetStream against the real
 * server). Two replicas of a bank work offline, then sync: the outcome is the one the receptors
 * decide, conflicts are reported, and every replica ends with the shared log's events.
 * @module
 */
import { describe } from 'vitest';
import { concurrencySuite } from './sync/concurrency.ts';
import { type SyncHarness, useReplicas } from './sync/context.ts';
import { exchangeSuite } from './sync/exchange.ts';
import { ledgerSuite } from './sync/ledger.ts';
import { recoverySuite } from './sync/recovery.ts';

export type { SyncHarness } from './sync/context.ts';

/**
 * Registers the offline sync tests for a local driver: `harness.replica()` makes a new local
 * database and returns how to open it (again, after a close); `harness.remote()` a new, empty shared
 * log. The driver's ledger must offer `replaceTail`; `appendBatch` is checked when offered.
 *
 * @example
 * ```ts
 * // test/my-driver.unit.test.ts
 * import { memoryLedger } from 'whizbang';
 * import { syncConformance } from 'whizbang/conformance';
 * import { myDriver } from '../src/mod.ts';
 *
 * syncConformance('my driver', {
 *   replica: () => {
 *     const path = `${crypto.randomUUID()}.db`;
 *     return () => myDriver({ path });
 *   },
 *   remote: () => memoryLedger(),
 * });
 * ```
 */
export function syncConformance(name: string, harness: SyncHarness): void {
  describe(`offline sync conformance: ${name}`, () => {
    const context = useReplicas(harness);
    ledgerSuite(context);
    exchangeSuite(context);
    recoverySuite(context);
    concurrencySuite(context);
  });
}
