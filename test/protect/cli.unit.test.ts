// The CLI reads the stored bytes: `events` and `export` show protected fields sealed, never in
// clear; an exported log imported elsewhere opens with the same keys, and forgets with them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteDriver, sqliteKeyStore } from '../../adapters/sqlite/mod.ts';
import { protect, REDACTED } from '../../js/protect/mod.ts';
import { type BuiltCli, buildCli, runCli } from '../support/cli.ts';
import { ada, masterKey, Registered, Renamed } from './fixture.ts';

let cli: BuiltCli;
const dir = mkdtempSync(join(tmpdir(), 'whizbang-protect-cli-'));
beforeAll(async () => {
  cli = await buildCli();
});
afterAll(() => {
  cli?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('protected fields through the CLI', () => {
  it('events and export print them sealed; an imported copy opens and forgets with the keys', async () => {
    const source = join(dir, 'source.db');
    const master = await masterKey();
    const db = sqliteDriver({ path: source });
    const keys = sqliteKeyStore(db.database);
    const events = [Registered, Renamed];
    const sealed = protect(db, { master, keys, events });
    await sealed.ledger.append('customer-c-1', [Registered(ada('c-1'))]);
    await sealed.ledger.append('customer-c-2', [Registered(ada('c-2'))]);

    const shown = await runCli(cli, ['events', '--db', source, '--json']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('London');
    expect(shown.stdout).not.toContain('ada.c-1@example.org');
    expect(shown.stdout).not.toContain('Analytical Engine');
    const file = join(dir, 'log.jsonl');
    expect((await runCli(cli, ['export', '--db', source, '-o', file])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toContain('ada.c-1@example.org');

    const target = join(dir, 'target.db');
    expect((await runCli(cli, ['import', '--db', target, '-i', file, '--no-progress'])).code).toBe(
      0,
    );
    // another process: it asks the key store again once a held key has lived `cacheTtlMs`
    const copy = protect(sqliteDriver({ path: target }), { master, keys, events, cacheTtlMs: 0 });
    const read = (await copy.ledger.readAll()) as Array<{ data: { email: string } }>;
    expect(read.map((e) => e.data.email)).toEqual(['ada.c-1@example.org', 'ada.c-2@example.org']);

    await sealed.forget('c-1');
    const after = (await copy.ledger.readAll()) as Array<{ data: { email: string } }>;
    expect(after.map((e) => e.data.email)).toEqual([REDACTED, 'ada.c-2@example.org']);
    copy.close?.();
    db.close();
  });

  it('rebuild --app prints a failing perspective without the values its apply() quoted', async () => {
    const path = join(dir, 'failing.db');
    const db = sqliteDriver({ path });
    // a development database, written without protect: the values are there in clear
    db.ledger.append('customer-c-9', [
      { type: 'Registered', data: { customerId: 'c-9', email: 'nine@example.org' } },
    ]);
    db.close();
    const module = join(import.meta.dirname, 'fixtures', 'failing-app.ts');
    const run = await runCli(cli, ['rebuild', 'strict', '--db', path, '--app', module], {
      NODE_OPTIONS: '--import tsx',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('HANDLER_FAILED');
    expect(run.stderr).toContain('Perspective "strict" failed to apply "Registered"');
    expect(run.stdout + run.stderr).not.toContain('nine@example.org');
  });
});
