/**
 * `whizbang devtools` in Chromium (steps of `npm run test:playground`): examples/bank loaded as "a
 * user's app" (`--app examples/bank/app.ts`) on a copy of a SQLite file the bank wrote. The forms
 * list the bank's commands, the copy is in the ledger table and the lenses, a command sent from
 * its form shows in the ledger table and the flow, and the file is left as it was.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { ROOT } from './chromium.mjs';

/** A SQLite file the bank wrote: Cleo's account opened, 75 deposited (positions 1 and 2). */
async function bankFile(path) {
  const { sqliteDriver } = await tsImport('../../adapters/sqlite/mod.ts', import.meta.url);
  const bank = await tsImport('../../examples/bank/app.ts', import.meta.url);
  const app = bank.app.build({ driver: sqliteDriver({ path }) });
  await app.send(bank.OpenAccount({ accountId: 'cleo', owner: 'Cleo', overdraftLimit: 0 }));
  await app.send(bank.Deposit({ accountId: 'cleo', amount: 75 }));
  await app.close();
}

/** Runs the devtools steps with the playground test's `step`, `snap`, `launch` and `expect`. */
export async function devtoolsSteps({ step, snap, launch, expect, port }) {
  const dir = mkdtempSync(join(tmpdir(), 'whizbang-devtools-'));
  const db = join(dir, 'bank.db');
  await bankFile(db);
  const before = readFileSync(db);
  const { startDevtools } = await tsImport('../../cli/commands/devtools.ts', import.meta.url);
  const devtools = await startDevtools({ app: join(ROOT, 'examples/bank/app.ts'), db, port });
  const browser = await launch();
  const errors = [];
  try {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1366, height: 900 });
    page.on('pageerror', (error) => errors.push(error));
    const ledgerRow = (text) => page.locator('#ledger tbody tr', { hasText: text });
    const cells = async (row) => (await row.locator('td').allTextContents()).map((t) => t.trim());

    await step('devtools: the bank as a user’s app lists its commands and the copy', async () => {
      expect(devtools.events).toBe(2);
      await page.goto(devtools.url);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 45_000 });
      const commands = await page.locator('#command option').allTextContents();
      for (const type of ['OpenAccount', 'Deposit', 'Withdraw', 'Transfer', 'ApproveTransfer'])
        expect(commands).toContain(type);
      const deposited = ledgerRow('MoneyDeposited');
      await deposited.waitFor();
      expect((await cells(deposited)).slice(0, 4)).toEqual([
        '2',
        'account-cleo',
        '2',
        'MoneyDeposited',
      ]);
      const cleo = page.locator('[data-lens="accounts"] tbody tr', { hasText: 'cleo' });
      expect(await cells(cleo)).toEqual(['cleo', 'Cleo', '75', '1']);
      await snap('devtools-open', page);
    });

    await step(
      'devtools: a command sent from its form is in the ledger table and the flow',
      async () => {
        await page.getByLabel('Command', { exact: true }).selectOption('OpenAccount');
        await page
          .locator('#OpenAccount-data')
          .fill('{ "accountId": "ada", "owner": "Ada Lovelace", "overdraftLimit": 0 }');
        await page.getByRole('button', { name: 'Send', exact: true }).click();
        await page.locator('#receipt h3', { hasText: 'Receipt: OpenAccount handled' }).waitFor();
        const opened = ledgerRow('account-ada');
        await opened.waitFor();
        expect((await cells(opened)).slice(0, 4)).toEqual([
          '3',
          'account-ada',
          '1',
          'AccountOpened',
        ]);
        await page.locator('#flow .node[data-type="AccountOpened"]').waitFor();
        await page.locator('#flow .node[data-type="accounts"]').waitFor();
        // not JSON: said beside the field, nothing sent
        await page.locator('#OpenAccount-data').fill('{ accountId: ');
        await page.getByRole('button', { name: 'Send', exact: true }).click();
        await page.locator('#OpenAccount-data-error', { hasText: 'Not JSON' }).waitFor();
        expect(await ledgerRow('AccountOpened').count()).toBe(2);
        await snap('devtools-sent', page);
        // the copy was read once: the file is as the bank left it
        expect(readFileSync(db).equals(before)).toBe(true);
      },
    );

    await step('devtools: no uncaught error on the page', async () => {
      expect(errors.map((e) => e.message)).toEqual([]);
    });
  } finally {
    await browser.close();
    await devtools.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `whizbang devtools --live`: the page follows a JetStream log of a nats-server of the test's own
 * over WebSocket, read-only — events appended to the log meanwhile show up in the ledger table, the
 * lenses and a flow rebuilt from the log, and a command sent from a form is refused, not sent.
 */
export async function devtoolsLiveSteps({ step, snap, launch, expect, port }) {
  const { startNatsServer } = await tsImport('../support/nats-server.ts', import.meta.url);
  const { jetstreamLedger } = await tsImport('../../adapters/nats/node.ts', import.meta.url);
  const { uuidv7 } = await tsImport('../../js/mod.ts', import.meta.url);
  const nats = await startNatsServer('', { websocket: true });
  const log = { stream: `DEVTOOLS_LIVE_${process.pid}`, prefix: `devtools.live${process.pid}` };
  const remote = await jetstreamLedger({ servers: nats.url, ...log });
  /** Appends what a command `id` decided, as a running system would. */
  const decided = (streamId, event, version) => {
    const id = uuidv7();
    return remote.append(streamId, [{ ...event, correlationId: id, causationId: id }], {
      expectedVersion: version,
    });
  };
  await decided(
    'account-zed',
    { type: 'AccountOpened', data: { accountId: 'zed', owner: 'Zed', overdraftLimit: 0 } },
    0,
  );
  const { startDevtools } = await tsImport('../../cli/commands/devtools.ts', import.meta.url);
  const live = `${nats.wsUrl}?stream=${log.stream}&prefix=${log.prefix}`;
  const devtools = await startDevtools({ app: join(ROOT, 'examples/bank/app.ts'), live, port });
  const browser = await launch();
  const errors = [];
  try {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1366, height: 900 });
    page.on('pageerror', (error) => errors.push(error));
    const zed = page.locator('[data-lens="accounts"] tbody tr', { hasText: 'zed' });
    const cells = async (row) => (await row.locator('td').allTextContents()).map((t) => t.trim());

    await step('devtools --live: the page follows a JetStream log as it commits', async () => {
      await page.goto(devtools.url);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 45_000 });
      await page.locator('#ledger tbody tr', { hasText: 'account-zed' }).waitFor();
      await decided(
        'account-zed',
        { type: 'MoneyDeposited', data: { accountId: 'zed', amount: 40 } },
        1,
      );
      await page
        .locator('#ledger tbody tr', { hasText: 'MoneyDeposited' })
        .waitFor({ timeout: 15_000 });
      await zed.filter({ hasText: '40' }).waitFor();
      expect(await cells(zed)).toEqual(['zed', 'Zed', '40', '1']);
      // the newest flow, rebuilt from the log: the command inferred, the event it appended
      await page.locator('#flow .node[data-type="MoneyDeposited"]').waitFor();
      await page.locator('#flow .node[data-type="command"]').waitFor();
      await snap('devtools-live', page);
    });

    await step('devtools --live: a command from a form is refused, the log untouched', async () => {
      await page.getByLabel('Command', { exact: true }).selectOption('Deposit');
      await page.locator('#Deposit-data').fill('{ "accountId": "zed", "amount": 5 }');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await page.locator('#receipt', { hasText: 'read-only' }).waitFor();
      expect(await remote.headPosition()).toBe(2);
    });

    await step('devtools --live: no uncaught error on the page', async () => {
      expect(errors.map((e) => e.message)).toEqual([]);
    });
  } finally {
    await browser.close();
    await devtools.close();
    await remote.close();
    await nats.dispose();
  }
}
