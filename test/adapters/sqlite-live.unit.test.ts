/** A live lens on a SQLite file hears another process's commits (`PRAGMA data_version`). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { accounts, createBank } from '../../examples/bank/domain.ts';
import { eventually } from '../../js/conformance/helpers.ts';
import { killWorkers, startWorker } from './sqlite-workers/harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'whizbang-sqlite-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(killWorkers);

it('a live lens hears another process’s appends and model writes', async () => {
  const path = join(dir, 'live.db');
  const bank = createBank({ driver: sqliteDriver({ path }) });
  const acc: Array<number | undefined> = [];
  const all: string[][] = [];
  bank.lens(accounts).watch('acc', (m) => acc.push(m?.balance));
  bank
    .lens(accounts)
    .live({ orderBy: { accountId: 'asc' } }, (ms) => all.push(ms.map((m) => m.accountId)));
  await eventually(() => acc.length === 1 && all.length === 1);
  const w = startWorker('live', [path], { engine: 'node', dir });
  await w.ready();
  w.send('go');
  await w.line('done', 30_000);
  await eventually(() => acc.at(-1) === 9 && all.at(-1)?.length === 2, 5_000);
  expect(acc[0]).toBeUndefined();
  expect(all.at(-1)).toEqual(['acc', 'side']);
  await bank.close();
});
