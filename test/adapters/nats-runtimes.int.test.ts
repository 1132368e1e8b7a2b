// @runtimes deno bun
/**
 * The NATS transport (core NATS and JetStream) and the JetStream ledger conformance suites on Deno
 * and Bun, against the shared server (`NATS_URL`), through the node transport under each runtime's
 * Node compatibility. Node runs the same suites in nats-transport.int.test.ts and
 * nats-ledger.int.test.ts. Deno gets network access to that server's address only.
 */
import { connect } from '@nats-io/transport-node';
import { describe } from 'vitest';
import { NATS_URL, natsReachable } from '../support/services.ts';
import { natsSuites } from './nats-suites.ts';

const runtime = (globalThis as { Deno?: unknown }).Deno !== undefined ? 'Deno' : 'Bun';
const up = await natsReachable(`NATS (${runtime})`);

describe.skipIf(!up)(`NATS on ${runtime}`, () => {
  // the node transport, as whizbang/nats's `node` entry passes it (the suites use the browser-safe one)
  natsSuites(runtime, () => ({ servers: NATS_URL, connect }), { ledgerRuns: 10 });
});
