/**
 * The NATS test page: the transport (core NATS and JetStream) and JetStream ledger conformance
 * suites, collected by the vitest shim of test/runtimes and run in the page against a nats-server's
 * WebSocket listener through `wsconnect`; `test/adapters/nats-websocket.int.test.ts` drives it.
 */
import { wsconnect } from '@nats-io/nats-core';
import { natsSuites } from '../adapters/nats-suites.ts';
import { finishCollection, startCollection } from '../runtimes/collect.mjs';
import { recordUnhandled, runSuite } from '../runtimes/execute.mjs';
import { serializeError } from '../runtimes/protocol.mjs';

addEventListener('unhandledrejection', (event) => recordUnhandled(event.reason));
addEventListener('error', (event) => recordUnhandled(event.error ?? event.message));

/** Runs the suites against the server at `url` (`ws://…`); returns every result. */
async function run(url) {
  startCollection();
  // wsconnect passed in: what a browser app does (a ws:// URL alone would pick it too)
  natsSuites('Chromium, WebSocket', () => ({ servers: url, connect: wsconnect }), {
    ledgerRuns: 5,
  });
  const root = finishCollection();
  const results = [];
  await runSuite(root, (r) => {
    results.push({
      name: r.name,
      status: r.status,
      durationMs: Math.round(r.durationMs ?? 0),
      ...(r.error === undefined ? {} : { error: serializeError(r.error) }),
    });
  });
  return results;
}

globalThis.whizbangNats = { ready: true, run };
globalThis.whizbangPage = { ready: true };
