/**
 * `whizbang devtools` spawned: it reads a copy of the log once, serves the playground over the
 * app module (the page's domains are the app's), and refuses a module that is not there. (The page
 * itself, driven in Chromium with examples/bank as the app: test/browser/devtools-steps.mjs.)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { type BuiltCli, buildCli, runCli, startCli } from '../support/cli.ts';
import { app, Deposit } from './fixtures/app.ts';

let cli: BuiltCli;
let dir: string;
let db: string;
const module = join(import.meta.dirname, 'fixtures', 'app.ts');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-devtools-'));
  db = join(dir, 'accounts.db');
  const driver = sqliteDriver({ path: db });
  const built = app.build({ driver });
  for (let i = 0; i < 5; i++) await built.send(Deposit({ id: `a${i % 2}`, amount: i + 1 }));
  await built.close();
  cli = await buildCli();
}, 60_000);

afterAll(() => {
  cli?.remove();
  rmSync(dir, { recursive: true, force: true });
});

/** A port nothing listens on (taken, then given back). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('whizbang devtools', { timeout: 60_000 }, () => {
  it('serves the playground over the app module, starting from a copy of the log', async () => {
    const before = readFileSync(db);
    const child = startCli(cli, [
      'devtools',
      '--app',
      module,
      '--db',
      db,
      '--port',
      String(await freePort()),
    ]);
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const found = /a copy of (\d+) events\): (http:\S+)/.exec(out);
          if (found) resolve(found[2]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      expect(out).toContain('a copy of 5 events');
      const copy = (await (await fetch(new URL('__whizbang/seed.json', url))).json()) as Array<{
        type: string;
        position: number;
      }>;
      expect(copy.map((e) => [e.position, e.type])).toEqual(
        [1, 2, 3, 4, 5].map((p) => [p, 'Deposited']),
      );
      // the page's domains are the app's: the virtual module imports the app module
      const domains = await (
        await fetch(new URL('@id/__x00__virtual:whizbang-domains', url))
      ).text();
      expect(domains).toContain('fixtures/app.ts');
      expect(domains).toContain('appDomain');
      expect(readFileSync(db).equals(before)).toBe(true);
    } finally {
      child.kill('SIGINT'); // Ctrl-C
    }
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  });

  it('refuses a module that is not there, and a --live that is not a WebSocket URL', async () => {
    const run = await runCli(cli, ['devtools', '--app', join(dir, 'missing.ts')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^whizbang: BAD_APP_MODULE: /);
    const tcp = await runCli(cli, ['devtools', '--app', module, '--live', 'nats://127.0.0.1:4222']);
    expect(tcp.stderr).toMatch(/^whizbang: USAGE: .*not a WebSocket URL/);
    const both = await runCli(cli, ['devtools', '--app', module, '--db', db, '--live', 'ws://h:1']);
    expect(both.stderr).toMatch(/^whizbang: USAGE: Give --db .* or --live/);
    expect([tcp.code, both.code]).toEqual([2, 2]);
  });
});
