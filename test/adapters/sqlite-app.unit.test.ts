import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { bankAcrossReopen, bankInboxOnce, bankRefusalKeepsNothing } from './bank-scenario.ts';

// The whole runtime on a real SQLite file: what the memory driver does, the file does too.
const dir = mkdtempSync(join(tmpdir(), 'whizbang-sqlite-app-'));
let n = 0;
const file = () => join(dir, `bank${++n}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the bank on SQLite', () => {
  it('runs commands, cascades and perspectives, and keeps them across a reopen', async () => {
    const path = file();
    await bankAcrossReopen(() => sqliteDriver({ path }));
  });

  it('rolls back a refused command: nothing in the file', () =>
    bankRefusalKeepsNothing(() => sqliteDriver({ path: file() })));

  it('carries the inbox through the file: a message delivered twice is handled once', () =>
    bankInboxOnce(() => sqliteDriver({ path: file() })));
});
