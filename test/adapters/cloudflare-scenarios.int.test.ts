/**
 * Cloudflare Workers end to end, in workerd through miniflare: the bank Worker over HTTP (a Durable
 * Object per account group, and D1), a Durable Object ledger that keeps every acknowledged event
 * across a runtime restart mid-stream, appends raced through D1 (one winner per version), and the
 * outbox relayed to an HTTP endpoint by the object's alarm. The Workers are bundled as a Worker
 * build does (the `workerd` conditions) and run without `nodejs_compat`: no Node module is reached.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker } from '../edge/bundle.ts';
import { workerdReachable } from '../edge/workerd.ts';

const up = await workerdReachable();
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'edge-scenarios-'));
const nodeImport =
  /(?:from\s*|import\s*\(\s*|require\s*\(\s*)["'](?:node:)?(?:fs|path|os|crypto|module|buffer|util|stream|events|child_process|url|net|tls|http|https|worker_threads)["']|["']node:/;

async function start(entry: string, options: Partial<MiniflareOptions>): Promise<Miniflare> {
  const script = await bundleWorker(here(entry));
  expect(script).not.toMatch(nodeImport);
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents: script }],
    compatibilityDate: '2025-10-01',
    ...options,
  } as MiniflareOptions);
  await mf.ready;
  return mf;
}

const post = async (mf: Miniflare, url: string, body: unknown) => {
  const response = await mf.dispatchFetch(url, { method: 'POST', body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const get = async (mf: Miniflare, url: string) => (await mf.dispatchFetch(url)).json();

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!up)('Cloudflare Workers in workerd', () => {
  it('bundles whizbang/cloudflare for workerd with no Node module in it', async () => {
    const script = await bundleWorker(here('../../adapters/cloudflare/mod.ts'));
    expect(script).not.toMatch(nodeImport);
    expect(script).toContain('whizbang_events');
  });

  it("runs the README's Worker as written", async () => {
    const readme = readFileSync(here('../../README.md'), 'utf8');
    const code = /<!-- consumer: cloudflare -->\s*```typescript\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const entry = join(dir, 'readme-worker.ts');
    writeFileSync(entry, code!);
    const script = await bundleWorker(entry);
    expect(script).not.toMatch(nodeImport);
    const mf = new Miniflare({
      modules: [{ type: 'ESModule', path: 'worker.mjs', contents: script }],
      compatibilityDate: '2025-10-01',
      durableObjects: { SHOP: { className: 'Shop', useSQLite: true } },
    });
    try {
      for (const version of [1, 1]) {
        const r = await post(mf, 'http://shop.test/', { sku: 'apple' });
        expect(r).toEqual({ status: 200, body: { version } });
      }
    } finally {
      await mf.dispose();
    }
  });

  describe('the bank Worker over HTTP', () => {
    let mf: Miniflare;
    beforeAll(async () => {
      mf = await start('../../examples/cloudflare/worker.ts', {
        durableObjects: { BANK: { className: 'BankLedger', useSQLite: true } },
        d1Databases: ['DB'],
      });
    });
    afterAll(() => mf?.dispose());

    for (const base of ['http://bank.test/groups/g1', 'http://bank.test/d1']) {
      it(`moves money and reads it back (${base.split('/').pop()})`, async () => {
        const send = (type: string, data: unknown) => post(mf, `${base}/commands`, { type, data });
        expect(
          (await send('OpenAccount', { accountId: 'a', owner: 'Ada', overdraftLimit: 10 })).status,
        ).toBe(200);
        expect((await send('OpenAccount', { accountId: 'b', owner: 'Bob' })).status).toBe(200);
        expect((await send('Deposit', { accountId: 'a', amount: 100 })).status).toBe(200);
        expect(
          (await send('Transfer', { transferId: 't1', from: 'a', to: 'b', amount: 60 })).status,
        ).toBe(200);
        const refused = await send('Withdraw', { accountId: 'b', amount: 1000 });
        expect(refused.status).toBe(422);
        expect(await get(mf, `${base}/accounts/a`)).toMatchObject({ balance: 40, owner: 'Ada' });
        expect(await get(mf, `${base}/accounts/b`)).toMatchObject({ balance: 60 });
        expect(await get(mf, `${base}/balance/b`)).toBe(60);
        expect(await get(mf, `${base}/transfers/t1`)).toMatchObject({ status: 'completed' });
        expect(await get(mf, `${base}/totals`)).toEqual({
          accounts: 2,
          deposited: 160,
          withdrawn: 60,
        });
      });
    }

    it('keeps each account group in its own object', async () => {
      expect(await get(mf, 'http://bank.test/groups/g2/accounts/a')).toBeNull();
      expect(
        (
          await post(mf, 'http://bank.test/groups/g2/commands', {
            type: 'Deposit',
            data: { accountId: 'a', amount: 1 },
          })
        ).status,
      ).toBe(422);
    });
  });

  it('a Durable Object restarted mid-stream keeps every acknowledged event', async () => {
    const options: Partial<MiniflareOptions> = {
      durableObjects: {
        STREAMS: { className: 'Streams', useSQLite: true },
        RELAY: { className: 'Relay', useSQLite: true },
      },
      d1Databases: ['DB'],
      durableObjectsPersist: join(dir, 'objects'),
    };
    let mf = await start('../edge/scenario.ts', options);
    const acknowledged: string[] = [];
    let sent = 0;
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; i < 1000; i++) {
        const messageId = `m-${w}-${i}`;
        sent++;
        try {
          const r = await post(mf, 'http://edge.test/do/evicted?stream=s', [
            { type: 'T', data: { w, i }, messageId },
          ]);
          if (r.status !== 200) return;
          acknowledged.push(messageId);
        } catch {
          return; // the runtime went away under this request: not acknowledged
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    while (acknowledged.length < 40) await new Promise((done) => setTimeout(done, 5));
    await mf.dispose(); // the runtime stops with appends in flight
    await Promise.all(writers);
    mf = await start('../edge/scenario.ts', options);
    try {
      const events = (await get(mf, 'http://edge.test/do/evicted?stream=s')) as Array<{
        version: number;
        messageId: string;
      }>;
      const kept = new Set(events.map((e) => e.messageId));
      expect(acknowledged.filter((id) => !kept.has(id))).toEqual([]);
      expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
      expect(kept.size).toBe(events.length);
      expect(events.length).toBeLessThanOrEqual(sent);
      // and it goes on from there
      const next = await post(
        mf,
        `http://edge.test/do/evicted?stream=s&expected=${events.length}`,
        [{ type: 'T', data: {} }],
      );
      expect(next.body).toMatchObject({ version: events.length + 1 });
    } finally {
      await mf.dispose();
    }
  });

  describe('the scenario Worker', () => {
    let mf: Miniflare;
    const received: Array<{ topic: string; envelope: { message: { data: { text: string } } } }> =
      [];
    let refuse = 0;
    beforeAll(async () => {
      mf = await start('../edge/scenario.ts', {
        durableObjects: {
          STREAMS: { className: 'Streams', useSQLite: true },
          RELAY: { className: 'Relay', useSQLite: true },
        },
        d1Databases: ['DB'],
        // the Worker's outbound fetch (the relay's HTTP endpoint) lands here
        outboundService: async (request: Request) => {
          if (refuse > 0) {
            refuse--;
            return new Response('down', { status: 503 });
          }
          received.push(await request.json());
          return new Response('ok');
        },
      } as Partial<MiniflareOptions>);
    });
    afterAll(() => mf?.dispose());

    it('concurrent appends to one stream through D1: one winner per expected version', async () => {
      for (let version = 0; version < 5; version++) {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            post(mf, `http://edge.test/d1?stream=raced&expected=${version}`, [
              { type: 'T', data: { version, i } },
            ]),
          ),
        );
        const won = results.filter((r) => r.status === 200);
        expect(won).toHaveLength(1);
        expect(won[0]!.body).toMatchObject({ version: version + 1 });
        for (const lost of results.filter((r) => r.status !== 200)) {
          expect(lost.body).toEqual({ code: 'CONCURRENCY_CONFLICT' });
        }
      }
      const events = (await get(mf, 'http://edge.test/d1?stream=raced')) as Array<{
        version: number;
      }>;
      expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
    });

    it("the object's alarm relays its outbox to an HTTP endpoint, again after the endpoint was down", async () => {
      refuse = 2;
      for (const text of ['one', 'two', 'three']) {
        const r = await post(
          mf,
          `http://edge.test/relay/r1?to=${encodeURIComponent('http://sink.test/in')}&text=${text}`,
          {},
        );
        expect(r.status).toBe(200);
      }
      for (let n = 0; received.length < 3 && n < 400; n++)
        await new Promise((done) => setTimeout(done, 25));
      expect(received.map((r) => r.envelope.message.data.text)).toEqual(['one', 'two', 'three']);
      expect(received[0]!.topic).toBe('whizbang.commands.Notify');
      expect(await get(mf, 'http://edge.test/relay/r1')).toMatchObject({
        outbox: 0,
        deadLetters: 0,
      });
    });
  });
});
