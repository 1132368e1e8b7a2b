/**
 * The IndexedDB driver with segments (`indexedDbDriver({ segments })`) wherever there is an
 * IndexedDB: the ledger, store, outbox and sync conformance suites on a driver that seals every
 * 4 events in the background (so reads cross sealed and recent events, and seals land between
 * appends), then the segment store's own tests (test/adapters/indexeddb/segments.ts, segment-route.ts,
 * segments-lazy.ts, segment-index.ts). Node runs it
 * on fake-indexeddb; test/browser/ runs it in Chromium. Imports nothing of Node.
 */
import { indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import {
  ledgerConformance,
  outboxConformance,
  storeConformance,
  syncConformance,
} from '../../js/conformance/mod.ts';
import { memoryLedger } from '../../js/memory/ledger.ts';
import type { IndexedDbContext, IndexedDbEnvironment } from './indexeddb/context.ts';
import { segmentIndexSuite, segmentOffsetsSuite } from './indexeddb/segment-index.ts';
import { segmentRouteSuite } from './indexeddb/segment-route.ts';
import { segmentsSuite } from './indexeddb/segments.ts';
import { segmentsLazySuite } from './indexeddb/segments-lazy.ts';

/** Registers the conformance suites on segment mode, and the segment store's tests, on `env`. */
export function indexedDbSegmentsSuite(label: string, env: IndexedDbEnvironment): void {
  const open: IndexedDbContext['open'] = (name, options = {}) =>
    indexedDbDriver({
      segments: { size: 4 },
      ...options,
      name,
      indexedDB: env.indexedDB,
      IDBKeyRange: env.IDBKeyRange,
    });
  const fresh = () => open(env.freshName());
  ledgerConformance(`${label} segments`, fresh);
  storeConformance(`${label} segments`, fresh);
  outboxConformance(`${label} segments`, fresh);
  syncConformance(`${label} segments replicas, memory shared log`, {
    replica: () => {
      const name = env.freshName();
      return () => open(name);
    },
    remote: () => memoryLedger(),
  });
  segmentsSuite({ label, env, open, fresh });
  segmentRouteSuite({ label, env, open, fresh });
  segmentsLazySuite({ label, env, open, fresh });
  segmentIndexSuite({ label, env, open, fresh });
  segmentOffsetsSuite({ label, env, open, fresh });
}
