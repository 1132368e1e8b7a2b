/**
 * The test page: the IndexedDB suite (conformance included) and the WebAssembly core's suites
 * collected by the vitest shim of test/runtimes, run on Chromium's own IndexedDB and WebAssembly,
 * their results handed to the Node side; and
 * the scenario steps that the Node side drives across reloads and tabs.
 */
import { indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import { bankOnIndexedDb } from '../adapters/indexeddb/bank.ts';
import { indexedDbSegmentsSuite } from '../adapters/indexeddb-segments-suite.ts';
import { indexedDbSuite } from '../adapters/indexeddb-suite.ts';
import { atRestIndexedDbSuite } from '../protect/atrest-indexeddb-suite.ts';
import { finishCollection, startCollection } from '../runtimes/collect.mjs';
import { recordUnhandled, runSuite } from '../runtimes/execute.mjs';
import { serializeError } from '../runtimes/protocol.mjs';
import * as live from './live-scenarios.ts';
import * as personal from './protect-scenarios.ts';
import * as base from './scenarios.ts';
import * as segments from './segment-scenarios.ts';

addEventListener('unhandledrejection', (event) => recordUnhandled(event.reason));
addEventListener('error', (event) => recordUnhandled(event.error ?? event.message));

/** Runs the suite and returns every result. */
async function run() {
  const prefix = `suite-${Date.now()}`;
  let n = 0;
  const freshName = () => `${prefix}-${++n}`;
  startCollection();
  indexedDbSuite('indexeddb (Chromium)', { indexedDB, IDBKeyRange, freshName });
  bankOnIndexedDb('indexeddb (Chromium)', (name) => indexedDbDriver({ name }), freshName);
  indexedDbSegmentsSuite('indexeddb (Chromium)', { indexedDB, IDBKeyRange, freshName });
  atRestIndexedDbSuite('indexeddb (Chromium)', { indexedDB, IDBKeyRange, freshName });
  // the WebAssembly core, fetched by the loader from its default URL (served beside the page):
  // the vectors, the twin's property tests and the memory ledger on the binary log
  await import('../wasm/vectors.unit.test.ts');
  await import('../wasm/twin.unit.test.ts');
  await import('../wasm/binary-ledger.unit.test.ts');
  const root = finishCollection();
  const results = [];
  await runSuite(root, (r) => {
    const result = {
      name: r.name,
      status: r.status,
      durationMs: Math.round(r.durationMs ?? 0),
      ...(r.error === undefined ? {} : { error: serializeError(r.error) }),
    };
    results.push(result);
  });
  return results;
}

const scenarios = { ...base, ...live, ...segments, ...personal };
globalThis.whizbangPage = { ready: true, run, scenarios };
