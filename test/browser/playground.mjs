/**
 * `npm run test:playground` (and a step of `npm test`): the playground used as a person would, in
 * Debian's Chromium. Builds it with Vite (offline), serves the build from 127.0.0.1, then: sends
 * commands through the generated forms, finds the events in the ledger table and the flow graph,
 * moves the time slider back, reloads, submits an invalid command, breaks a snippet — and saves a
 * screenshot of each step under test-results/playground/. Then sync: two browsers (each its own
 * profile, so its own IndexedDB) connect to a nats-server of the test's own over WebSocket, see
 * each other's commits, and resolve a conflict. Then `whizbang devtools` with examples/bank as a
 * user's app, on a copy of a SQLite file and following a JetStream log (devtools-steps.mjs). Ends
 * with `playground: N passed, N failed`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { build } from 'vite';
import { ensureWasm } from '../../core-wasm/build.mjs';
import { expect } from '../runtimes/expect.mjs';
import { reportChromiumRun } from '../runtimes/report.mjs';
import { CHROMIUM, hasChromium, INSTALL, launch, ROOT, serveDirectory } from './chromium.mjs';
import { devtoolsLiveSteps, devtoolsSteps } from './devtools-steps.mjs';

// a fresh clone has no WebAssembly core yet: build it (and its embedded module) once
ensureWasm();

if (!hasChromium()) {
  if (process.env.CI) {
    console.error(`playground: Chromium is missing at ${CHROMIUM}. Install it: ${INSTALL}`);
    console.log('playground: 0 passed, 1 failed');
    process.exit(1);
  }
  const line = '!'.repeat(78);
  console.error(
    `${line}\n!! PLAYGROUND TESTS SKIPPED: no Chromium at ${CHROMIUM}.\n!! ${INSTALL}\n${line}`,
  );
  console.log('playground: 0 passed, 0 failed (skipped: no Chromium)');
  process.exit(0);
}

const shots = join(ROOT, 'test-results', 'playground');
rmSync(shots, { recursive: true, force: true }); // only this run's screenshots
mkdirSync(shots, { recursive: true });
const out = mkdtempSync(join(tmpdir(), 'whizbang-playground-'));
const started = Date.now();
const results = [];
const problems = [];

await build({
  configFile: join(ROOT, 'playground', 'vite.config.ts'),
  build: { outDir: out, emptyOutDir: true },
  logLevel: 'error',
});

const server = await serveDirectory(out);
const url = server.url;

async function step(name, fn) {
  const at = Date.now();
  try {
    await fn();
    results.push({ file: 'playground', name: [name], status: 'pass', durationMs: Date.now() - at });
  } catch (error) {
    results.push({
      file: 'playground',
      name: [name],
      status: 'fail',
      durationMs: Date.now() - at,
      error: {
        name: error?.name ?? 'Error',
        message: String(error?.message ?? error),
        stack: error?.stack ?? '',
      },
    });
  }
}

const browser = await launch();
const page = await browser.context.newPage();
await page.setViewportSize({ width: 1366, height: 900 });
const pageErrors = [];
page.on('pageerror', (error) => pageErrors.push(error));
let shot = 0;
const snap = (name, on = page) =>
  on.screenshot({
    path: join(shots, `${String(++shot).padStart(2, '0')}-${name}.png`),
    fullPage: true,
  });
const ready = () => page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
/** Fills the command's form (by the generated ids) and submits it. */
async function send(type, data, on = page) {
  await on.getByLabel('Command', { exact: true }).selectOption(type);
  for (const [field, value] of Object.entries(data))
    await on.locator(`#${type}-${field}`).fill(String(value));
  await on.getByRole('button', { name: 'Send', exact: true }).click();
}
const receipt = (type, on = page) =>
  on.locator('#receipt h3', { hasText: `Receipt: ${type} handled` }).waitFor({ timeout: 10_000 });
const lensRow = (lens, text, on = page) =>
  on.locator(`[data-lens="${lens}"] tbody tr`, { hasText: text });
const cells = async (row) => (await row.locator('td').allTextContents()).map((t) => t.trim());
/**
 * The cells of a lens's row once they are `expected` (the lenses are live: they draw themselves a
 * moment after the change that the receipt or the sync status reports), else what they were.
 */
async function settled(row, expected) {
  const want = JSON.stringify(expected);
  for (let at = Date.now(); Date.now() - at < 10_000; ) {
    const got = await cells(row);
    if (JSON.stringify(got) === want) return got;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return cells(row);
}

try {
  await step('the page opens, offline, with the bank domain and its parts listed', async () => {
    await page.goto(url);
    await ready();
    expect(await page.locator('#domain').inputValue()).toBe('bank');
    const card = await page.locator('#domain-card').textContent();
    for (const part of ['OpenAccount', 'Transfer', 'MoneyWithdrawn', 'saga', 'accounts (inline)'])
      expect(card).toContain(part);
    await snap('open');
  });

  await step(
    'a command sent from the form is in the receipt, the ledger table and the flow graph',
    async () => {
      await send('OpenAccount', { accountId: 'ada', owner: 'Ada Lovelace', overdraftLimit: 0 });
      await receipt('OpenAccount');
      const row = page.locator('#ledger tbody tr', { hasText: 'AccountOpened' });
      await row.waitFor();
      expect((await cells(row)).slice(0, 4)).toEqual(['1', 'account-ada', '1', 'AccountOpened']);
      await page.locator('#flow .node[data-type="AccountOpened"]').waitFor();
      await page.locator('#flow .node[data-type="accounts"]').waitFor(); // the perspective it fed
      await snap('sent');
    },
  );

  await step(
    'a transfer runs through the saga; a flow node shows its envelope and hops',
    async () => {
      await send('Deposit', { accountId: 'ada', amount: 100 });
      await receipt('Deposit');
      await send('OpenAccount', { accountId: 'bob', owner: 'Bob Kahn', overdraftLimit: 0 });
      await receipt('OpenAccount');
      await send('Transfer', { transferId: 't-1', from: 'ada', to: 'bob', amount: 30 });
      await receipt('Transfer');
      for (const type of [
        'TransferRequested',
        'Withdraw',
        'MoneyWithdrawn',
        'CreditAccount',
        'TransferCompleted',
      ])
        await page.locator(`#flow .node[data-type="${type}"]`).first().waitFor();
      const node = page.locator('#flow .node.command[data-type="Withdraw"]').first();
      await node.focus();
      await page.keyboard.press('Enter'); // a node is a button: the keyboard chooses it
      await page.locator('#flow-details h3', { hasText: 'Command Withdraw' }).waitFor();
      const details = await page.locator('#flow-details').textContent();
      expect(details).toContain('Hops');
      expect(details).toContain('"correlationId"');
      await lensRow('transfers', 't-1').filter({ hasText: 'completed' }).waitFor();
      const ada = ['ada', 'Ada Lovelace', '70', '2'];
      expect(await settled(lensRow('accounts', 'ada'), ada)).toEqual(ada);
      await snap('flow');
      await page.screenshot({ path: join(shots, 'readme.png') }); // the viewport, as a laptop shows it
    },
  );

  await step('the time slider moved back shows the perspective as it was', async () => {
    const head = Number(await page.locator('#position').getAttribute('max'));
    expect(head).toBeGreaterThan(5);
    await page.locator('#position').focus();
    // back to just after the deposit: AccountOpened(ada) 1, MoneyDeposited 2
    for (let p = head; p > 2; p--) await page.keyboard.press('ArrowLeft');
    await page.locator('#position-label', { hasText: 'As of position 2 of' }).waitFor();
    const atTwo = ['ada', 'Ada Lovelace', '100', '1'];
    expect(await settled(lensRow('accounts', 'ada'), atTwo)).toEqual(atTwo);
    expect(await lensRow('accounts', 'bob').count()).toBe(0);
    await page.locator('#ledger-note', { hasText: /^2 shown/ }).waitFor();
    expect(await page.locator('#ledger tbody tr').count()).toBe(2);
    await page.getByRole('button', { name: 'One event back' }).click();
    await page.locator('#position-label', { hasText: 'As of position 1 of' }).waitFor();
    const atOne = ['ada', 'Ada Lovelace', '0', '0'];
    expect(await settled(lensRow('accounts', 'ada'), atOne)).toEqual(atOne);
    await snap('time-travel');
    await page.getByRole('button', { name: 'Now' }).click();
    await page.locator('#position-label', { hasText: 'Now' }).waitFor();
  });

  await step('a model is diffed between two positions', async () => {
    await page.locator('#diff summary').click();
    await page.getByLabel('Model id').fill('ada');
    await page.getByLabel('From position').fill('1');
    await page.getByLabel('to position').fill('2');
    await page.getByRole('button', { name: 'Diff', exact: true }).click();
    const row = page.locator('#diff-out tbody tr', { hasText: 'balance' });
    await row.waitFor();
    expect(await cells(row)).toEqual(['balance', 'changed', '0', '100']);
  });

  await step('the ledger filters by type and stream, and exports as JSON', async () => {
    await page.getByLabel('Type', { exact: true }).selectOption('MoneyDeposited');
    await page.locator('#ledger-note', { hasText: '2 shown' }).waitFor();
    const types = await page.locator('#ledger tbody tr td:nth-child(4)').allTextContents();
    expect(types).toEqual(['MoneyDeposited', 'MoneyDeposited']);
    await page.getByLabel('Stream', { exact: true }).selectOption('account-bob');
    await page.locator('#ledger-note', { hasText: '1 shown' }).waitFor();
    expect(await page.locator('#ledger-note').textContent()).toContain('WebAssembly');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export as JSON' }).click(),
    ]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    expect(exported.map((e) => [e.streamId, e.type, e.data.amount])).toEqual([
      ['account-bob', 'MoneyDeposited', 30],
    ]);
    await snap('ledger-filter');
    // beside it, the whole ledger as a segment file: checked by the core, every event in it
    const [binary] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export as segments (binary)' }).click(),
    ]);
    expect(binary.suggestedFilename()).toBe('bank-ledger.segments');
    const bytes = new Uint8Array(readFileSync(await binary.path()));
    const { verifySegmentFile } = await tsImport('../../js/wasm/ledger-file.ts', import.meta.url);
    const head = Number(await page.locator('#position').getAttribute('max'));
    expect(verifySegmentFile(bytes)).toMatchObject({ events: head, firstPosition: 1 });
    await page.getByLabel('Stream', { exact: true }).selectOption('');
    await page.getByLabel('Type', { exact: true }).selectOption('');
  });

  await step('after a reload the ledger and the lenses are still there (IndexedDB)', async () => {
    const head = Number(await page.locator('#position').getAttribute('max'));
    await page.locator('#ledger-note', { hasText: `${head} shown` }).waitFor(); // filters cleared
    await page.reload();
    await ready();
    await page.locator('#ledger-note', { hasText: `${head} shown` }).waitFor();
    expect(await page.locator('#ledger tbody tr').count()).toBe(head);
    expect(await cells(lensRow('accounts', 'bob'))).toEqual(['bob', 'Bob Kahn', '30', '1']); // drawn before ready
    await snap('reloaded');
  });

  await step(
    'an invalid command shows its errors beside the fields, and writes nothing',
    async () => {
      const before = await page.locator('#ledger tbody tr').count();
      await send('Deposit', { accountId: '', amount: -5 });
      await page.locator('#Deposit-amount-error', { hasText: 'more than 0' }).waitFor();
      expect(await page.locator('#Deposit-accountId-error').textContent()).toContain(
        'Give the account id',
      );
      expect(await page.locator('#Deposit-amount').getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('#ledger tbody tr').count()).toBe(before);
      await snap('invalid');
      // a rule of the domain (not the schema) is a refusal in the receipt area
      await send('Withdraw', { accountId: 'bob', amount: 1000 });
      await page.locator('#receipt .error', { hasText: 'overdraft limit' }).waitFor();
      await page.locator('#flow .node.command.failed[data-type="Withdraw"]').waitFor();
    },
  );

  await step('a broken snippet shows its error and the page survives', async () => {
    const code = page.getByLabel('JavaScript, run in a Worker over this ledger');
    await code.fill('function apply(model, event) {\n  return model.count +;\n}');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('#run-out .error', { hasText: 'SyntaxError' }).waitFor();
    await code.fill(
      'const initial = 0;\nfunction apply(model, event) { return event.nope.deeper; }',
    );
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('#run-out .error', { hasText: 'TypeError' }).waitFor();
    await code.fill('const initial = 0;\nfunction apply() { while (true) {} }');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page
      .locator('#run-out .error', { hasText: 'Stopped after' })
      .waitFor({ timeout: 10_000 });
    await snap('snippet-error');
    // the page still works: a good snippet runs, and a command is sent
    await code.fill(
      'function key(e) { return e.type; }\nconst initial = 0;\nfunction apply(n) { return n + 1; }',
    );
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('#run-out pre', { hasText: '"AccountOpened": 2' }).waitFor();
    await send('Deposit', { accountId: 'bob', amount: 5 });
    await receipt('Deposit');
  });

  await step('the todo domain: an example from faker, sent; then reset empties it', async () => {
    await page.getByLabel('Domain', { exact: true }).selectOption('todo');
    await page.locator('#status', { hasText: 'Todo list: 0 events in IndexedDB' }).waitFor();
    await page.getByRole('button', { name: 'Fill with an example' }).click();
    await page.waitForFunction(() => document.querySelector('#AddTodo-title')?.value.length > 0);
    await page.locator('#AddTodo-todoId').fill('milk');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await receipt('AddTodo');
    await lensRow('todos', 'milk').waitFor();
    await send('FinishTodo', { listId: 'home', todoId: 'milk' });
    await receipt('FinishTodo');
    await lensRow('todos', 'milk').filter({ hasText: 'true' }).waitFor();
    await snap('todo');
    await page.getByRole('button', { name: 'Reset this domain' }).click();
    await page.locator('#status', { hasText: 'reset' }).waitFor();
    expect(await page.locator('#ledger tbody tr').count()).toBe(0);
    // the bank's database is its own: switching back finds it
    await page.getByLabel('Domain', { exact: true }).selectOption('bank');
    await lensRow('accounts', 'bob').waitFor();
  });

  await step('no uncaught error on the page', async () => {
    expect(pageErrors.map((e) => e.message)).toEqual([]);
  });
} catch (error) {
  problems.push(`harness: ${error?.stack ?? error}`);
} finally {
  await browser.close();
}

// ── sync: two browsers and a nats-server of the test's own ─────────────────────────────────────
const { NATS_SERVER_BIN, natsServerInstalled, startNatsServer } = await tsImport(
  '../support/nats-server.ts',
  import.meta.url,
);
let syncSkipped = false;
if (!natsServerInstalled()) {
  const hint = `no nats-server at ${NATS_SERVER_BIN}: apt-get install nats-server, or set NATS_SERVER_BIN`;
  if (process.env.CI) problems.push(`sync: ${hint} (CI is set)`);
  else {
    syncSkipped = true;
    const line = '!'.repeat(78);
    console.error(`${line}\n!! PLAYGROUND SYNC TESTS SKIPPED: ${hint}.\n${line}`);
  }
} else {
  try {
    await syncSteps();
  } catch (error) {
    problems.push(`sync harness: ${error?.stack ?? error}`);
  }
}
await server.close();
rmSync(out, { recursive: true, force: true });

// ── devtools: examples/bank as a user's app (`whizbang devtools --app`), on a SQLite copy ───────
try {
  await devtoolsSteps({ step, snap, launch, expect, port: await closedPort() });
  // --live follows a JetStream log over WebSocket: a nats-server of its own, as sync's above
  if (natsServerInstalled())
    await devtoolsLiveSteps({ step, snap, launch, expect, port: await closedPort() });
} catch (error) {
  problems.push(`devtools harness: ${error?.stack ?? error}`);
}

/** A port nothing listens on (taken, then given back). */
async function closedPort() {
  const probe = createTcpServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function syncSteps() {
  const nats = await startNatsServer('', { websocket: true });
  const browsers = [];
  const errors = [];
  /** A page in a browser of its own (its own profile, so its own IndexedDB). */
  const open = async () => {
    const b = await launch();
    browsers.push(b);
    const p = await b.context.newPage();
    await p.setViewportSize({ width: 1366, height: 900 });
    p.on('pageerror', (error) => errors.push(error));
    await p.goto(url);
    await p.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    return p;
  };
  const connect = async (p, to) => {
    await p.getByLabel('Server URL').fill(to);
    await p.getByRole('button', { name: 'Connect', exact: true }).click();
  };
  const connected = (p) =>
    p.locator('#sync-status[data-state="connected"]').waitFor({ timeout: 15_000 });
  const disconnect = async (p) => {
    await p.getByRole('button', { name: 'Disconnect' }).click();
    await p.locator('#sync-status[data-state="offline"]', { hasText: 'Offline' }).waitFor();
  };
  const pending = (p, n) =>
    p.locator(`#sync-pending[data-count="${n}"]`).waitFor({ timeout: 15_000 });
  /** Ada's row in `p` is `expected` (the lens drawn within a few seconds). */
  const adaIs = async (p, expected) =>
    expect(await settled(lensRow('accounts', 'ada', p), expected)).toEqual(expected);
  try {
    const a = await open();
    const b = await open();

    await step(
      'sync: a wrong URL or no server is reported, and the page goes on offline',
      async () => {
        await connect(a, 'http://127.0.0.1:8080');
        await a.locator('#sync-status.error', { hasText: 'is not a WebSocket URL' }).waitFor();
        await connect(a, `ws://127.0.0.1:${await closedPort()}`);
        await a
          .locator('#sync-status.error', { hasText: 'Could not connect' })
          .waitFor({ timeout: 15_000 });
        expect(await a.getByRole('button', { name: 'Connect', exact: true }).isEnabled()).toBe(
          true,
        );
        // offline, commands are kept as pending
        await send(
          'OpenAccount',
          { accountId: 'ada', owner: 'Ada Lovelace', overdraftLimit: 0 },
          a,
        );
        await receipt('OpenAccount', a);
        await send('Deposit', { accountId: 'ada', amount: 100 }, a);
        await receipt('Deposit', a);
        await pending(a, 2);
        await snap('sync-offline', a);
      },
    );

    await step('sync: two browsers connect, and the account opened in A appears in B', async () => {
      await connect(a, nats.wsUrl);
      await connected(a);
      await pending(a, 0);
      await connect(b, nats.wsUrl);
      await connected(b);
      await lensRow('accounts', 'ada', b).waitFor({ timeout: 15_000 });
      await adaIs(b, ['ada', 'Ada Lovelace', '100', '1']);
      // the live lens may show the pulled account before the round reports what it pulled
      await b.locator('#sync-status', { hasText: 'pulled 2' }).waitFor({ timeout: 15_000 });
      await b.locator('#ledger tbody tr', { hasText: 'MoneyDeposited' }).waitFor();
      await snap('sync-a-connected', a);
      await snap('sync-b-sees-a', b);
    });

    await step(
      'sync: both withdraw offline; A syncs first, B’s withdrawal is a conflict, both show 30',
      async () => {
        await disconnect(a);
        await disconnect(b);
        await send('Withdraw', { accountId: 'ada', amount: 70 }, a);
        await receipt('Withdraw', a);
        await send('Withdraw', { accountId: 'ada', amount: 60 }, b);
        await receipt('Withdraw', b);
        await pending(a, 1);
        await pending(b, 1);
        await adaIs(a, ['ada', 'Ada Lovelace', '30', '2']);
        await adaIs(b, ['ada', 'Ada Lovelace', '40', '2']);
        await snap('sync-b-offline-withdrawal', b);
        await connect(a, nats.wsUrl);
        await connected(a);
        await pending(a, 0);
        await connect(b, nats.wsUrl);
        const conflict = b.locator('#sync-conflicts li[data-conflict]');
        await conflict.waitFor({ timeout: 15_000 });
        const text = await conflict.textContent();
        expect(text).toContain('Withdraw');
        expect(text).toContain('"amount":60');
        expect(text).toContain('overdraft limit');
        await pending(b, 0);
        await b.locator('#sync-status', { hasText: 'conflicts 1' }).waitFor();
        await lensRow('accounts', '30', b).waitFor();
        await adaIs(b, ['ada', 'Ada Lovelace', '30', '2']);
        await adaIs(a, ['ada', 'Ada Lovelace', '30', '2']);
        expect(await a.locator('#sync-conflicts li[data-conflict]').count()).toBe(0);
        // the same ledger on both sides: A's withdrawal, B's gone
        const amounts = async (p) =>
          (await p.locator('#ledger tbody tr', { hasText: 'MoneyWithdrawn' }).allTextContents())
            .length;
        expect(await amounts(a)).toBe(1);
        expect(await amounts(b)).toBe(1);
        await snap('sync-b-conflict', b);
        await snap('sync-a-same-balance', a);
      },
    );

    await step('sync: the conflict is kept across a reload, then dismissed', async () => {
      await b.reload();
      await b.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
      await b.locator('#sync-status', { hasText: 'Offline' }).waitFor();
      await b.locator('#sync-conflicts li[data-conflict]', { hasText: 'Withdraw' }).waitFor();
      await b.getByRole('button', { name: /^Dismiss the conflict of Withdraw/ }).click();
      await b.locator('#sync-conflicts li.empty', { hasText: 'None.' }).waitFor();
      await b.reload();
      await b.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
      await b.locator('#sync-conflicts li.empty', { hasText: 'None.' }).waitFor();
      await adaIs(b, ['ada', 'Ada Lovelace', '30', '2']);
      await snap('sync-dismissed', b);
      await disconnect(a);
    });

    await step('sync: no uncaught error on either page', async () => {
      expect(errors.map((e) => e.message)).toEqual([]);
    });
  } finally {
    for (const b of browsers) await b.close();
    await nats.dispose();
  }
}

reportChromiumRun({
  label: 'playground',
  version: `playground in chromium (${CHROMIUM})`,
  started,
  results,
  problems,
  notes: [
    `screenshots: ${shots}`,
    ...(syncSkipped ? ['playground sync: SKIPPED (no nats-server)'] : []),
  ],
});
