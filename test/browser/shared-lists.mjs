/**
 * `npm run test:lists` (and a step of `npm test`): the shared-lists example as people use it. Its
 * one command (`npm run example:lists`) starts nats-server, the sync server on PostgreSQL and the
 * Vite client; two people sign in from two Chromium contexts (each its own IndexedDB). Edits made
 * offline wait as pending and land on reconnect; a list Ann shares with Ben appears for him with
 * its history; concurrent offline edits of it end with the server's decision, the refused one a
 * conflict shown with its message; Ann never receives Ben's private list, neither on her
 * WebSocket nor in her IndexedDB; unsharing takes the list off Ben's page and out of his
 * IndexedDB, and the item he added to it offline meanwhile becomes a conflict. Ends with `shared lists: N passed, N failed`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { expect } from '../runtimes/expect.mjs';
import { reportChromiumRun } from '../runtimes/report.mjs';
import { CHROMIUM, hasChromium, INSTALL, ROOT } from './chromium.mjs';

const LABEL = 'shared lists';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

async function missing() {
  if (!hasChromium()) return `Chromium is missing at ${CHROMIUM} (${INSTALL})`;
  if (!existsSync(NATS_SERVER_BIN)) return `nats-server is missing at ${NATS_SERVER_BIN}`;
  const client = new pg.Client({ connectionString: DATABASE_URL });
  try {
    await client.connect();
    await client.end();
  } catch (error) {
    return `PostgreSQL is not reachable at ${DATABASE_URL} (${error.message})`;
  }
  return undefined;
}

const why = await missing();
if (why !== undefined) {
  if (process.env.CI) {
    console.error(`${LABEL}: ${why}`);
    console.log(`${LABEL}: 0 passed, 1 failed`);
    process.exit(1);
  }
  const line = '!'.repeat(78);
  console.error(`${line}\n!! SHARED LISTS EXAMPLE SKIPPED: ${why}.\n${line}`);
  console.log(`${LABEL}: 0 passed, 0 failed (skipped)`);
  process.exit(0);
}

const started = Date.now();
const results = [];
const problems = [];
const run = crypto.randomUUID().slice(0, 8);
const schema = `lists_test_${run}`;
const data = mkdtempSync(join(tmpdir(), 'whizbang-shared-lists-'));

/** Starts the example's one command; resolves with its URL once it printed it. */
function startExample() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/shared-lists/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL,
      LISTS_SCHEMA: schema,
      LISTS_DATA: data,
      LISTS_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  const url = new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      output.push(text);
      const m = /open (http:\/\/\S+)/.exec(output.join(''));
      if (m) resolve(m[1]);
    });
    child.stderr.on('data', (text) => output.push(String(text)));
    child.once('exit', (code) =>
      reject(
        new Error(`the example exited (${code}) before it printed its URL:\n${output.join('')}`),
      ),
    );
    setTimeout(() => reject(new Error(`no URL within 60 s:\n${output.join('')}`)), 60_000);
  });
  return { child, url, output };
}

async function step(name, fn) {
  const at = Date.now();
  try {
    await fn();
    results.push({
      file: 'shared-lists',
      name: [name],
      status: 'pass',
      durationMs: Date.now() - at,
    });
  } catch (error) {
    results.push({
      file: 'shared-lists',
      name: [name],
      status: 'fail',
      durationMs: Date.now() - at,
      error: { name: error?.name ?? 'Error', message: String(error?.stack ?? error), stack: '' },
    });
  }
}

const example = startExample();
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
const errors = [];

/** A person in a browser context of their own: the page, and every WebSocket frame it received. */
async function person(url, user) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const frames = [];
  page.on('pageerror', (error) => errors.push(`${user}: ${error.stack ?? error.message}`));
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) =>
      frames.push(typeof payload === 'string' ? payload : Buffer.from(payload).toString('latin1')),
    ),
  );
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  await page.getByLabel('User').fill(user);
  await page.getByLabel('Password').fill(`${user}-pass`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#state', { hasText: /^online$/ }).waitFor({ timeout: 30_000 });
  return {
    user,
    context,
    page,
    frames,
    received: (text) => frames.some((f) => f.includes(text)),
    /** Every record of every IndexedDB database of this context, as text (bytes decoded). */
    stored: () =>
      page.evaluate(async () => {
        const text = (v) =>
          JSON.stringify(v, (_, x) =>
            x instanceof ArrayBuffer || ArrayBuffer.isView(x)
              ? new TextDecoder('latin1').decode(x)
              : x,
          );
        const out = [];
        for (const { name } of await indexedDB.databases()) {
          const db = await new Promise((resolve, reject) => {
            const r = indexedDB.open(name);
            r.onsuccess = () => resolve(r.result);
            r.onerror = () => reject(r.error);
          });
          for (const store of db.objectStoreNames) {
            const rows = await new Promise((resolve, reject) => {
              const r = db.transaction(store).objectStore(store).getAll();
              r.onsuccess = () => resolve(r.result);
              r.onerror = () => reject(r.error);
            });
            out.push(`${name}/${store}: ${text(rows)}`);
          }
          db.close();
        }
        return out.join('\n');
      }),
  };
}

const pending = (p, n) => p.page.locator('#pending', { hasText: `${n} pending` }).waitFor();
async function createList(p, name) {
  await p.page.getByLabel('New list').fill(name);
  await p.page.getByRole('button', { name: 'Create' }).click();
  await p.page.locator('#list h2', { hasText: name }).waitFor();
}
async function addItem(p, text) {
  await p.page.getByLabel('New item').fill(text);
  await p.page.getByRole('button', { name: 'Add', exact: true }).click();
  await p.page.locator('#items li', { hasText: text }).waitFor();
}
async function offline(p) {
  await p.page.getByRole('button', { name: 'Go offline' }).click();
  await p.page.locator('#state', { hasText: 'offline' }).waitFor();
  await p.context.setOffline(true);
}
async function online(p) {
  await p.context.setOffline(false);
  await p.page.getByRole('button', { name: 'Go online' }).click();
  await p.page.locator('#state', { hasText: /^online$/ }).waitFor({ timeout: 20_000 });
}
/** Waits until the sync server's log (the example's output) has `line`. */
async function serverSaid(line) {
  const until = Date.now() + 20_000;
  while (!example.output.join('').includes(line)) {
    if (Date.now() > until) throw new Error(`the sync server never said "${line}"`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
/** Ticks an item (the box is checked once the command committed, not at the click). */
async function check(p, text) {
  await p.page.getByLabel(`Done: ${text}`).click();
  await p.page.locator(`input[aria-label="Done: ${text}"]:checked`).waitFor();
}
const itemTexts = (p) => p.page.locator('#items li span').allTextContents();

try {
  const url = await example.url;
  const ann = await person(url, 'ann');
  const ben = await person(url, 'ben');

  await step('each person’s lists: made, pushed, decided by the server', async () => {
    await createList(ben, 'Ben private ZEBRA-7731');
    await addItem(ben, 'secret-item-QX9');
    await pending(ben, 0);
    await createList(ann, 'Groceries');
    await addItem(ann, 'Milk');
    await addItem(ann, 'Bread');
    await pending(ann, 0);
    expect(await ann.page.locator('#lists li').allTextContents()).toEqual(['Groceries']);
  });

  await step('edits made offline wait as pending and land on reconnect', async () => {
    await offline(ann);
    await addItem(ann, 'Eggs');
    await check(ann, 'Bread');
    await pending(ann, 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await pending(ann, 2); // still waiting: nothing goes out offline
    await online(ann);
    await pending(ann, 0);
  });

  await step('a list shared with Ben appears for him, with its history', async () => {
    await ann.page.getByLabel('Share with').fill('ben');
    await ann.page.getByRole('button', { name: 'Share', exact: true }).click();
    await ann.page.locator('#members li', { hasText: 'ben' }).waitFor();
    const shared = ben.page.locator('#lists li', { hasText: 'Groceries' });
    await shared.waitFor({ timeout: 20_000 });
    expect(await shared.textContent()).toContain('shared by ann');
    await ben.page.getByRole('button', { name: 'Groceries' }).click();
    await ben.page.locator('#items li', { hasText: 'Eggs' }).waitFor({ timeout: 10_000 });
    expect(await itemTexts(ben)).toEqual(['Milk', 'Bread', 'Eggs']);
    expect(await ben.page.getByLabel('Done: Bread').isChecked()).toBe(true);
    await addItem(ben, 'Coffee'); // Ben edits the shared list; Ann sees it
    await ann.page.locator('#items li', { hasText: 'Coffee' }).waitFor({ timeout: 20_000 });
  });

  await step(
    'concurrent offline edits: the one the server refuses is a conflict shown with its message',
    async () => {
      await offline(ann);
      await offline(ben);
      await ben.page.getByRole('button', { name: 'Remove Milk' }).click();
      await ben.page.locator('#items li', { hasText: 'Milk' }).waitFor({ state: 'detached' });
      await check(ann, 'Milk');
      await pending(ann, 1);
      await pending(ben, 1);
      await online(ben); // the removal lands first
      await pending(ben, 0);
      await online(ann); // the tick is decided again on the server: the item is gone
      const conflict = ann.page.locator('#conflicts li');
      await conflict.waitFor({ timeout: 20_000 });
      expect(await conflict.textContent()).toContain(
        'This item was removed from the list before your change reached it.',
      );
      await pending(ann, 0);
      await ann.page.locator('#items li', { hasText: 'Milk' }).waitFor({ state: 'detached' });
      expect(await itemTexts(ann)).toEqual(['Bread', 'Eggs', 'Coffee']);
      await ann.page.getByRole('button', { name: 'Dismiss' }).click();
      await conflict.waitFor({ state: 'detached' });
    },
  );

  await step(
    'Ann never receives Ben’s private list: not on her WebSocket, not in IndexedDB',
    async () => {
      expect(ann.received('Groceries')).toBe(true); // the check sees what arrives
      expect(ann.received('Coffee')).toBe(true); // Ben's edit of the shared list did arrive
      expect(ann.received('ZEBRA-7731')).toBe(false);
      expect(ann.received('secret-item-QX9')).toBe(false);
      const stored = await ann.stored();
      expect(stored).toContain('Groceries');
      expect(stored).not.toContain('ZEBRA-7731');
      expect(stored).not.toContain('secret-item-QX9');
      expect(await ann.page.locator('#lists li').allTextContents()).toEqual(['Groceries']);
    },
  );

  await step(
    'unsharing removes the list from Ben’s page and his IndexedDB; his offline edit of it is a conflict',
    async () => {
      expect(await ben.stored()).toContain('Groceries');
      await offline(ben);
      await addItem(ben, 'Tea'); // made offline, on a list about to be unshared
      await pending(ben, 1);
      await ann.page.getByRole('button', { name: 'Unshare ben' }).click();
      await ann.page.locator('#members li').waitFor({ state: 'detached' });
      await serverSaid('ann: UnshareList decided'); // on the shared log before Ben reconnects
      await online(ben);
      await ben.page
        .locator('#lists li', { hasText: 'Groceries' })
        .waitFor({ state: 'detached', timeout: 20_000 });
      await ben.page.locator('#list').waitFor({ state: 'detached' });
      const conflict = ben.page.locator('#conflicts li');
      await conflict.waitFor({ timeout: 20_000 });
      expect(await conflict.textContent()).toContain('AddItem not kept');
      await pending(ben, 0);
      expect(await ben.page.locator('#lists li').allTextContents()).toEqual([
        'Ben private ZEBRA-7731',
      ]);
      const stored = await ben.stored();
      for (const gone of ['Groceries', 'Bread', 'Eggs', 'Coffee'])
        expect(stored).not.toContain(gone);
      expect(stored).toContain('ZEBRA-7731');
      // Ann keeps her list, without Ben's refused item
      expect(await itemTexts(ann)).toEqual(['Bread', 'Eggs', 'Coffee']);
      expect(errors).toEqual([]);
    },
  );
} catch (error) {
  problems.push(`shared lists harness: ${error?.stack ?? error}`);
} finally {
  await browser.close();
  const exited = new Promise((resolve) => example.child.once('exit', resolve));
  example.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (example.child.exitCode === null) example.child.kill('SIGKILL');
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
  rmSync(data, { recursive: true, force: true });
}

reportChromiumRun({
  label: LABEL,
  version: `shared-lists example in chromium (${CHROMIUM})`,
  started,
  results,
  problems,
});
