/**
 * `npm run test:react` (and a step of `npm test`): the React example (examples/react-todo, on
 * IndexedDB and live lenses) built with Vite and opened in two tabs of Debian's Chromium. A
 * command updates the list without a reload; a command in the second tab shows up in the first
 * (the IndexedDB driver's BroadcastChannel); a selected to-do follows a change made elsewhere.
 * Ends with `react example: N passed, N failed`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { expect } from '../runtimes/expect.mjs';
import { reportChromiumRun } from '../runtimes/report.mjs';
import { CHROMIUM, hasChromium, INSTALL, launch, ROOT, serveDirectory } from './chromium.mjs';

if (!hasChromium()) {
  if (process.env.CI) {
    console.error(`react example: Chromium is missing at ${CHROMIUM}. Install it: ${INSTALL}`);
    console.log('react example: 0 passed, 1 failed');
    process.exit(1);
  }
  const line = '!'.repeat(78);
  console.error(
    `${line}\n!! REACT EXAMPLE SKIPPED: no Chromium at ${CHROMIUM}.\n!! ${INSTALL}\n${line}`,
  );
  console.log('react example: 0 passed, 0 failed (skipped: no Chromium)');
  process.exit(0);
}

const started = Date.now();
const results = [];
const problems = [];
const out = mkdtempSync(join(tmpdir(), 'whizbang-react-example-'));
await build({
  configFile: join(ROOT, 'examples', 'react-todo', 'vite.config.ts'),
  build: { outDir: out, emptyOutDir: true },
  logLevel: 'error',
});
const server = await serveDirectory(out);
const browser = await launch();

const errors = [];
async function open() {
  const page = await browser.context.newPage();
  page.on('pageerror', (error) => errors.push(error));
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  await page.locator('#open', { hasText: 'open' }).waitFor();
  return page;
}
async function add(page, title) {
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
}
const titles = (page) => page.locator('#todos li button').allTextContents();

async function step(name, fn) {
  const at = Date.now();
  try {
    await fn();
    results.push({ file: 'react', name: [name], status: 'pass', durationMs: Date.now() - at });
  } catch (error) {
    results.push({
      file: 'react',
      name: [name],
      status: 'fail',
      durationMs: Date.now() - at,
      error: { name: error?.name ?? 'Error', message: String(error?.message ?? error), stack: '' },
    });
  }
}

try {
  await step(
    'a command updates the list; another tab’s commands show up in the first',
    async () => {
      const a = await open();
      const b = await open();
      await add(a, 'Write the docs');
      await a.locator('#todos li', { hasText: 'Write the docs' }).waitFor({ timeout: 10_000 });
      await a.locator('#open', { hasText: '1 open' }).waitFor();
      await a.getByRole('button', { name: 'Write the docs' }).click(); // the selected to-do
      await a.locator('#chosen', { hasText: 'Write the docs: open' }).waitFor();
      // tab B: sees A's to-do without a reload, adds one and marks A's done
      await b.locator('#todos li', { hasText: 'Write the docs' }).waitFor({ timeout: 10_000 });
      await add(b, 'Ship it');
      await b.getByLabel('Done: Write the docs').click(); // checked once the command commits
      await a.locator('#todos li', { hasText: 'Ship it' }).waitFor({ timeout: 10_000 });
      await a.locator('#chosen', { hasText: 'Write the docs: done' }).waitFor({ timeout: 10_000 });
      await a.locator('#open', { hasText: '1 open' }).waitFor();
      expect(await titles(a)).toEqual(['Write the docs', 'Ship it']);
      expect(await a.getByLabel('Done: Write the docs').isChecked()).toBe(true);
      // a refused command is the hook's error; the page goes on
      await add(a, '   ');
      await a.getByRole('alert').filter({ hasText: 'A to-do needs a title.' }).waitFor();
      expect(await titles(a)).toEqual(['Write the docs', 'Ship it']);
      expect(errors.map((e) => e.message)).toEqual([]);
    },
  );
} catch (error) {
  problems.push(`react example harness: ${error?.stack ?? error}`);
} finally {
  await browser.close();
  await server.close();
  rmSync(out, { recursive: true, force: true });
}

reportChromiumRun({
  label: 'react example',
  version: `react example in chromium (${CHROMIUM})`,
  started,
  results,
  problems,
});
