/**
 * `npm run test:browser` (and a step of `npm test`): the IndexedDB driver in real Chromium.
 * In one page, the whole IndexedDB suite (ledger and store conformance, schema upgrade and
 * refusal, bad input, two connections); then, driven from here, what needs more than one page:
 * a reload, two tabs of one origin, and a site whose storage quota runs out. Ends with
 * `browser: N passed, N failed`; exits 1 on any failure, and when CI is set and Chromium is missing.
 */

import { ensureWasm } from '../../core-wasm/build.mjs';
import { expect } from '../runtimes/expect.mjs';
import { reportChromiumRun } from '../runtimes/report.mjs';
import { bundle, CHROMIUM, hasChromium, INSTALL, launch, openPage, serve } from './chromium.mjs';

// a fresh clone has no WebAssembly core yet: build it (and its embedded module) once
ensureWasm();

if (!hasChromium()) {
  if (process.env.CI) {
    console.error(`browser: Chromium is missing at ${CHROMIUM}. Install it: ${INSTALL}`);
    console.log('browser: 0 passed, 1 failed');
    process.exit(1);
  }
  const line = '!'.repeat(78);
  console.error(
    `${line}\n!! BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM}.\n!! Install it to run them: ${INSTALL}\n${line}`,
  );
  console.log('browser: 0 passed, 0 failed (skipped: no Chromium)');
  process.exit(0);
}

const started = Date.now();
const results = [];
const problems = [];

/** A test run from here: `fn` drives pages and asserts with `expect`. */
async function scenario(name, fn) {
  const at = Date.now();
  try {
    await fn();
    results.push({ file: 'browser', name: [name], status: 'pass', durationMs: Date.now() - at });
  } catch (error) {
    const result = {
      file: 'browser',
      name: [name],
      status: 'fail',
      durationMs: Date.now() - at,
      error: {
        name: error?.name ?? 'Error',
        message: String(error?.message ?? error),
        stack: error?.stack ?? '',
      },
    };
    results.push(result);
  }
}

const script = await bundle('test/browser/page.mjs');
const site = await serve(script);
const quotaSite = await serve(script); // another port: another origin, with its own quota
const browser = await launch();
const { context } = browser;
try {
  // 1. the suite, in one page
  {
    const { page, errors } = await openPage(context, site.url);
    const inPage = await page.evaluate(() => globalThis.whizbangPage.run());
    for (const r of inPage) results.push({ file: 'page', ...r });
    for (const error of errors) problems.push(`page error: ${error.message}`);
    await page.close();
  }

  const call = (page, step, ...args) =>
    page.evaluate(([s, a]) => globalThis.whizbangPage.scenarios[s](...a), [step, args]);

  // 2. what a page wrote is there after a reload
  await scenario('a reload keeps events, models, checkpoints and snapshots', async () => {
    const { page } = await openPage(context, site.url);
    const head = await call(page, 'write', 'reload', 5);
    expect(head).toBe(5);
    await page.reload();
    await page.waitForFunction(() => globalThis.whizbangPage?.ready === true);
    expect(await call(page, 'read', 'reload')).toEqual({
      versions: [1, 2, 3, 4, 5],
      data: [0, 1, 2, 3, 4].map((i) => ({ i, text: `note ${i}` })),
      model: { count: 5, last: { i: 4, text: 'note 4' } },
      checkpoint: 5,
      snapshot: { count: 5 },
      schema: 5,
    });
    await page.close();
  });

  // 3. two tabs of one origin
  await scenario('two tabs racing on one stream: one winner per expected version', async () => {
    const a = (await openPage(context, site.url)).page;
    const b = (await openPage(context, site.url)).page;
    const winners = [];
    for (let round = 0; round < 8; round++) {
      const [fromA, fromB] = await Promise.all([
        call(a, 'race', 'tabs', round, 3, 'a'),
        call(b, 'race', 'tabs', round, 3, 'b'),
      ]);
      const outcomes = [...fromA, ...fromB];
      expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
      expect(outcomes.filter((o) => o !== 'won')).toEqual(Array(5).fill('CONCURRENCY_CONFLICT'));
      winners.push(`${fromA.includes('won') ? 'a' : 'b'}`);
    }
    const fromA = await call(a, 'shared', 'tabs');
    expect(fromA.map(([v]) => v)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(fromA.map(([, by]) => by[0])).toEqual(winners);
    expect(await call(b, 'shared', 'tabs')).toEqual(fromA);
    await Promise.all([call(a, 'closeAll'), call(b, 'closeAll')]);
    await Promise.all([a.close(), b.close()]);
  });

  await scenario(
    'a subscription in one tab sees every event another tab writes, once',
    async () => {
      const a = (await openPage(context, site.url)).page;
      const b = (await openPage(context, site.url)).page;
      await call(a, 'watch', 'subscribe');
      const head = await call(b, 'appendRounds', 'subscribe', 40);
      expect(head).toBe(79); // 40 rounds of 1, 2, 3, 1, 2, 3… events
      await a.waitForFunction(
        (h) => globalThis.whizbangPage.scenarios.seen().positions.length >= h,
        head,
        { timeout: 10_000 },
      );
      const { positions, wakes } = await call(a, 'seen');
      expect(positions).toEqual(Array.from({ length: head }, (_, i) => i + 1));
      expect(wakes).toBeGreaterThan(0); // woken by tab b's notices: tab a wrote nothing
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await call(a, 'seen')).positions).toHaveLength(head);
      await Promise.all([call(a, 'closeAll'), call(b, 'closeAll')]);
      await Promise.all([a.close(), b.close()]);
    },
  );

  await scenario('a live query in one tab hears every command of another tab', async () => {
    const a = (await openPage(context, site.url)).page;
    const b = (await openPage(context, site.url)).page;
    await call(a, 'liveOpen', 'live');
    await a.waitForFunction(() => globalThis.whizbangPage.scenarios.liveAnswers().length === 1);
    const count = 20;
    const commits = await call(b, 'liveWrite', 'live', count, 30);
    await a.waitForFunction(
      (n) => globalThis.whizbangPage.scenarios.liveAnswers().at(-1)?.balances[0] === n,
      count,
      { timeout: 10_000 },
    );
    const answers = await call(a, 'liveAnswers');
    expect(answers[0].balances).toEqual([]);
    // answers follow the commits in order, never one equal to the last (a burst may coalesce)
    const balances = answers.slice(1).map((x) => x.balances[0]);
    expect(balances.every((n, i) => i === 0 || n > balances[i - 1])).toBe(true);
    expect(balances.at(-1)).toBe(count);
    expect(balances.length).toBeGreaterThan(count / 2);
    const ms = answers
      .slice(1)
      .map((x) => x.at - commits[x.balances[0]])
      .sort((x, y) => x - y);
    const pick = (q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
    console.log(
      `browser: live lens across tabs, commit -> listener p50 ${pick(0.5)} ms, p99 ${pick(0.99)} ms`,
    );
    await call(a, 'liveClose');
    await Promise.all([a.close(), b.close()]);
  });

  // 3b. the segment store: a reload in the middle of sealing loses and doubles nothing
  await scenario('segments: a reload while sealing loses no event and doubles none', async () => {
    const { page } = await openPage(context, site.url);
    const count = 4096;
    expect(await call(page, 'segmentWrite', 'sealing', count)).toBe(count);
    await call(page, 'segmentSealStart', 'sealing');
    // reload once some segments (not all 16) are committed: the seal under way is cut off
    let committed = 0;
    for (let i = 0; i < 400 && committed < 2; i++)
      committed = await call(page, 'segmentCount', 'sealing');
    await page.reload();
    await page.waitForFunction(() => globalThis.whizbangPage?.ready === true);
    const found = await call(page, 'segmentRead', 'sealing');
    console.log(
      `browser: reload while sealing: ${found.verified.segments} of 16 segments committed before the reload`,
    );
    expect(committed).toBeGreaterThan(0);
    expect(found.verified.segments).toBeLessThan(16);
    expect(found.positions).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(found.data).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(new Set(found.streams).size).toBe(count);
    expect(found.verified.rebuilt).toBe(false);
    expect(found.sealedNow).toBe(count - found.verified.events);
    expect(found.same).toBe(true);
    await page.close();
  });

  // 3c. personal data: after forget, no raw record of any object store holds the subject's values
  await scenario(
    'protect: after forget, no raw IndexedDB record holds the values; the app still works',
    async () => {
      const { page } = await openPage(context, site.url);
      const c1 = ['ada.c-1@example.org', 'Analytical Engine Row c-1', 'Countess c-1'];
      // the control: without protect, the same search finds them
      await call(page, 'protectWrite', 'redact-plain', false);
      const plain = await call(page, 'protectRawRecords', 'redact-plain');
      for (const value of c1) expect(plain).toContain(value);

      const model = await call(page, 'protectWrite', 'redact-sealed', true);
      expect(model).toMatchObject({
        email: '[redacted]',
        street: '[redacted]',
        name: '[redacted]',
      });
      const raw = await call(page, 'protectRawRecords', 'redact-sealed');
      expect(raw).toContain('redact-sealed-keys/'); // the key store's database was read too
      expect(raw).toContain('ada.c-2@example.org'); // c-2's model keeps its email (not forgotten)
      for (const value of c1) expect(raw).not.toContain(value);

      await page.reload();
      await page.waitForFunction(() => globalThis.whizbangPage?.ready === true);
      const after = await call(page, 'protectReopen', 'redact-sealed');
      expect(after.c1).toMatchObject({
        email: after.redacted,
        name: after.redacted,
        city: 'London',
      });
      expect(after.c2).toMatchObject({ email: 'ada.c-2@example.org', name: 'Ada again' });
      for (const value of c1)
        expect(await call(page, 'protectRawRecords', 'redact-sealed')).not.toContain(value);
      expect(await call(page, 'protectCleanup', 'redact-')).toBe(3);
      await page.close();
    },
  );

  // 4. a full quota: a clear error, and nothing of the refused append
  await scenario('a full quota is STORAGE_QUOTA, and the refused append left nothing', async () => {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', {
      origin: quotaSite.origin,
      quotaSize: 2 * 1024 * 1024,
    });
    await page.goto(quotaSite.url);
    await page.waitForFunction(() => globalThis.whizbangPage?.ready === true);
    const full = await call(page, 'fillUntilFull', 'quota');
    expect(full.refusal?.code).toBe('STORAGE_QUOTA');
    expect(full.refusal.message).toMatch(/quota.*nothing of this transaction was written/);
    expect(full.accepted).toBeGreaterThan(0);
    const kept = Array.from({ length: full.accepted }, (_, i) => i);
    expect(full.head).toBe(full.accepted);
    expect(full.version).toBe(full.accepted);
    expect(full.eventIndexes).toEqual(kept);
    expect(full.modelIds).toEqual(kept.map((i) => `blob-${i}`).sort());
    expect(full.counts).toMatchObject({ events: full.accepted, perspectives: full.accepted });
    expect(full.usage).toBeGreaterThan(0);
    await cdp.detach();
    await page.close();
  });
} catch (error) {
  problems.push(`harness: ${error?.stack ?? error}`);
} finally {
  await browser.close();
  await site.close();
  await quotaSite.close();
}

reportChromiumRun({
  label: 'browser',
  version: `chromium (${CHROMIUM})`,
  started,
  results,
  problems,
});
