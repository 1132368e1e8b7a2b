/**
 * What the IndexedDB driver runs wherever there is an IndexedDB: the conformance suites, then the
 * adapter's own tests (test/adapters/indexeddb/: databases and schema versions, bad input, two
 * connections as two tabs, outbox, inbox and snapshots, storage). Node runs it on fake-indexeddb;
 * `npm test` also runs it in Chromium on the real thing (test/browser/). Imports nothing of Node,
 * so that it bundles for the browser.
 */
import { indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import {
  hostileConformance,
  ledgerConformance,
  outboxConformance,
  storeConformance,
  syncConformance,
} from '../../js/conformance/mod.ts';
import { memoryLedger } from '../../js/memory/ledger.ts';
import { hostileRuns } from '../support/hostile.ts';
import { badInputSuite } from './indexeddb/bad-input.ts';
import type { IndexedDbContext, IndexedDbEnvironment, IndexedDbPart } from './indexeddb/context.ts';
import { databaseSuite } from './indexeddb/databases.ts';
import { outboxSuite } from './indexeddb/outbox.ts';
import { storageSuite } from './indexeddb/storage.ts';
import { tabsSuite } from './indexeddb/tabs.ts';

export type { IndexedDbEnvironment } from './indexeddb/context.ts';

const PARTS: readonly IndexedDbPart[] = [
  databaseSuite,
  badInputSuite,
  tabsSuite,
  outboxSuite,
  storageSuite,
];

/** Registers the conformance suites and the adapter's own tests on `env`. */
export function indexedDbSuite(label: string, env: IndexedDbEnvironment): void {
  const open: IndexedDbContext['open'] = (name, options = {}) =>
    indexedDbDriver({ ...options, name, indexedDB: env.indexedDB, IDBKeyRange: env.IDBKeyRange });
  const fresh = () => open(env.freshName());

  ledgerConformance(label, fresh);
  storeConformance(label, fresh);
  hostileConformance(label, fresh, { ...hostileRuns(10) });
  outboxConformance(label, fresh);
  syncConformance(`${label} replicas, memory shared log`, {
    replica: () => {
      const name = env.freshName();
      return () => open(name);
    },
    remote: () => memoryLedger(),
  });
  const context: IndexedDbContext = { label, env, open, fresh };
  for (const part of PARTS) part(context);
}
