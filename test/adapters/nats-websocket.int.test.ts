/**
 * NATS over WebSocket, on a nats-server of the test's own (WebSocket listener and JetStream on,
 * stopped by its pid): the transport and ledger conformance suites from Node (Node 20 has no
 * WebSocket of its own: the `ws` package stands in) and, in real Chromium, from a page that connects
 * with `wsconnect` — each page test reported here as a test of its own.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { natsTransport } from '../../adapters/nats/node.ts';
import { caught } from '../../js/conformance/helpers.ts';
import { chromiumReachable, loadBrowser } from '../support/browser.ts';
import {
  natsServerInstalled,
  type OwnNatsServer,
  startNatsServer,
} from '../support/nats-server.ts';
import { reachable } from '../support/services.ts';
import { hadWebSocket, installWebSocket } from '../support/websocket.ts';
import { natsSuites } from './nats-suites.ts';

const installed = await reachable(
  'nats-server binary (NATS over WebSocket)',
  async () => {
    if (!natsServerInstalled()) throw new Error('no nats-server binary');
  },
  'Install nats-server (apt-get install nats-server) or set NATS_SERVER_BIN.',
);

interface PageResult {
  name: string[];
  status: 'pass' | 'fail' | 'skip' | 'todo';
  error?: { message: string; stack?: string };
}

let server: OwnNatsServer | undefined;
if (installed) {
  server = await startNatsServer('', { websocket: true });
  // a failed run still stops it
  process.once('exit', () => {
    if (server?.pid !== undefined) process.kill(server.pid, 'SIGKILL');
  });
}
afterAll(async () => {
  await server?.dispose();
});

// Node 20 has no global WebSocket, and wsconnect would wait forever without one (hadWebSocket)

describe.skipIf(!installed)('NATS over WebSocket from Node', () => {
  it('a ws:// server without a global WebSocket is a clear INVALID_ARGUMENT, not a hang', async () => {
    if (hadWebSocket) return; // Node 22+: there is one
    const error = await caught(() => natsTransport({ servers: server!.wsUrl! }));
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(String((error as Error).message)).toMatch(/global WebSocket/);
  });

  it('with the ws package as WebSocket, the transport connects over ws:// (no node transport)', async () => {
    await installWebSocket(); // the ws package (a dev dependency) where Node has none
    expect(typeof (globalThis as { WebSocket?: unknown }).WebSocket).toBe('function');
    const t = await natsTransport({ servers: server!.wsUrl! });
    try {
      expect(t.connection.getServer()).toContain(new URL(server!.wsUrl!).host);
    } finally {
      await t.close();
    }
  });

  it('refuses a list that mixes ws:// and nats:// servers', async () => {
    const error = await caught(() => natsTransport({ servers: [server!.wsUrl!, server!.url] }));
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  natsSuites('Node, WebSocket', () => ({ servers: server!.wsUrl! }), { ledgerRuns: 5 });
});

// ---- Chromium ----

const browser = await loadBrowser();
const chromium =
  installed && (await chromiumReachable(browser, 'NATS over WebSocket in the browser'));

/** Runs the suites in a page; its results, or the reason the page could not run them. */
async function inChromium(): Promise<PageResult[]> {
  const site = await browser.serve(await browser.bundle('test/browser/nats-page.mjs'));
  const launched = await browser.launch();
  try {
    const { page, errors } = await browser.openPage(launched.context, site.url);
    const results = await page.evaluate(
      (url) =>
        (
          globalThis as unknown as { whizbangNats: { run(u: string): Promise<PageResult[]> } }
        ).whizbangNats.run(url),
      server!.wsUrl!,
    );
    await page.close();
    if (errors.length > 0) {
      results.push({
        name: ['page errors'],
        status: 'fail',
        error: { message: errors.map((e) => e.stack ?? e.message).join('\n') },
      });
    }
    return results;
  } finally {
    await launched.close();
    await site.close();
  }
}

const pageResults: PageResult[] = chromium ? await inChromium() : [];

describe.skipIf(!chromium)('NATS over WebSocket in Chromium', () => {
  it('the page ran the transport (core and JetStream) and ledger suites', () => {
    const ran = pageResults.filter((r) => r.status === 'pass' || r.status === 'fail');
    expect(ran.length).toBeGreaterThan(100);
    for (const suite of [
      'nats core (Chromium',
      'nats jetstream (Chromium',
      'jetstream (Chromium',
    ]) {
      expect([suite, ran.some((r) => r.name.some((n) => n.startsWith(suite)))]).toEqual([
        suite,
        true,
      ]);
    }
  });
  for (const result of pageResults) {
    if (result.status !== 'pass' && result.status !== 'fail') continue;
    it(`in the page: ${result.name.join(' › ')}`, () => {
      if (result.status === 'fail') {
        throw new Error(`${result.error?.message ?? 'failed'}\n${result.error?.stack ?? ''}`);
      }
    });
  }
});
