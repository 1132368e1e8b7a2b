/**
 * The `whizbang` command in a real terminal (tmux): export draws a progress bar (count, rate, ETA)
 * instead of log lines, and `events` fits its table to the terminal's width.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { type BuiltCli, buildCli } from '../support/cli.ts';
import { reachable } from '../support/services.ts';

const EVENTS = 3000;
const WIDTH = 150;
let cli: BuiltCli | undefined;
let dir: string;
const session = `cli-terminal-${process.pid}`;
const tmux = (...args: string[]): string => execFileSync('tmux', args, { encoding: 'utf8' });

const hasTmux = await reachable('tmux', async () => tmux('-V'), 'apt-get install -y tmux');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-terminal-'));
  const driver = sqliteDriver({ path: join(dir, 'log.db') });
  for (let i = 0; i < EVENTS; i += 100) {
    driver.ledger.appendBatch(
      Array.from({ length: 100 }, (_, j) => ({
        streamId: `order-${i + j}`,
        events: [{ type: 'OrderPlaced', data: { order: i + j, note: 'x'.repeat(200) } }],
      })),
    );
  }
  driver.close();
  cli = await buildCli();
}, 60_000);

afterAll(() => {
  if (hasTmux) {
    try {
      tmux('kill-session', '-t', session);
    } catch {
      // already gone
    }
  }
  cli?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(hasTmux)('whizbang in a terminal', { timeout: 60_000 }, () => {
  it('export shows a bar with count, rate and ETA; events fit the width', async () => {
    const db = join(dir, 'log.db');
    const script = [
      `${process.execPath} ${cli!.script} export --db ${db} -o ${join(dir, 'out.jsonl')}`,
      `${process.execPath} ${cli!.script} events --db ${db} --limit 2`,
      'echo "EXIT=$?"',
      'sleep 60',
    ].join('; ');
    tmux('new-session', '-d', '-s', session, '-x', String(WIDTH), '-y', '20', script);
    let pane = '';
    for (let i = 0; i < 500 && !pane.includes('EXIT='); i++) {
      await new Promise((r) => setTimeout(r, 100));
      pane = tmux('capture-pane', '-p', '-t', session);
    }
    expect(pane).toContain('EXIT=0');
    const lines = pane.split('\n');
    const bar = lines.find((l) => l.startsWith('export '));
    // cli-progress's bar, full, then the count, the rate and the ETA
    expect(bar).toMatch(
      new RegExp(
        `^export \u2588{40} 100% \\| ${EVENTS}/${EVENTS} events \\| \\d+ events/s \\| ETA 0s`,
      ),
    );
    expect(pane).not.toMatch(/export: \d+\/\d+ events/); // no log lines in a terminal
    const rows = lines.filter((l) => /^\s+[12]\s/.test(l));
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.length).toBeLessThanOrEqual(WIDTH);
      expect(row).toMatch(/order-[01]\s+1\s+OrderPlaced\s+\{"order":[01],"note":"x+…$/);
    }
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8').split('\n')).toHaveLength(EVENTS + 1);
  });
});
