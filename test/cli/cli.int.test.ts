/**
 * The `whizbang` command on the real PostgreSQL and JetStream: a SQLite log exported, imported into
 * each, verified, inspected, read back with filters and exported again, line for line the same.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../adapters/postgres/mod.ts';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { type BuiltCli, buildCli, jsonLines, runCli } from '../support/cli.ts';
import { DATABASE_URL, NATS_URL, natsReachable, postgresReachable } from '../support/services.ts';

const EVENTS = 120;
const tag = `${process.pid}_${Date.now().toString(36)}`;
const schema = `cli_${tag}`;
const stream = `CLI_${tag.toUpperCase()}`;
const pgTarget = `${DATABASE_URL}?schema=${schema}`;
const natsTarget = `${NATS_URL}?stream=${stream}&prefix=cli.${tag}`;

const [pgUp, natsUp] = await Promise.all([
  postgresReachable('the CLI on PostgreSQL'),
  natsReachable('the CLI on JetStream'),
]);

let cli: BuiltCli;
let dir: string;
let file: string;
let exported: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-int-'));
  const driver = sqliteDriver({ path: join(dir, 'source.db') });
  for (let i = 0; i < EVENTS; i++) {
    driver.ledger.append(
      `cart-${i % 9}`,
      [{ type: i % 4 === 0 ? 'CartOpened' : 'ItemAdded', data: { i, sku: `sku-${i}` } }],
      { tenant: i % 2 === 0 ? 'eu' : 'us' },
    );
  }
  driver.close();
  cli = await buildCli();
  file = join(dir, 'log.jsonl');
  const run = await runCli(cli, ['export', '--db', join(dir, 'source.db'), '-o', file]);
  expect(run.code).toBe(0);
  exported = readFileSync(file, 'utf8');
}, 60_000);

afterAll(async () => {
  cli?.remove();
  rmSync(dir, { recursive: true, force: true });
  if (pgUp) {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
  if (natsUp) {
    const { connect } = await import('@nats-io/transport-node');
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const nc = await connect({ servers: NATS_URL });
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc.close();
  }
});

/** Import, verify, inspect, filtered read and export again on one target. */
async function roundTrip(target: string, backend: string): Promise<void> {
  const imported = await runCli(cli, ['import', '--db', target, '-i', file, '--json']);
  expect(imported.stderr).toContain(`import: ${EVENTS}/${EVENTS} events (100%)`);
  expect(JSON.parse(imported.stdout)).toEqual({ imported: EVENTS });
  const verified = await runCli(cli, ['verify', '--db', target, '--json', '--no-progress']);
  expect(JSON.parse(verified.stdout)).toEqual({
    ok: true,
    events: EVENTS,
    streams: 18,
    head: EVENTS,
  });
  const inspected = JSON.parse((await runCli(cli, ['inspect', '--db', target, '--json'])).stdout);
  expect(inspected).toMatchObject({
    backend,
    head: EVENTS,
    events: EVENTS,
    streams: 18,
    types: [
      { type: 'ItemAdded', events: 90 },
      { type: 'CartOpened', events: 30 },
    ],
    tenants: [
      { tenant: 'eu', events: 60, streams: 9 },
      { tenant: 'us', events: 60, streams: 9 },
    ],
  });
  const opened = jsonLines(
    (
      await runCli(cli, [
        'events',
        '--db',
        target,
        '--json',
        '--type',
        'CartOpened',
        '--tenant',
        'eu',
        '--to',
        '40',
      ])
    ).stdout,
  );
  expect(opened.map((e) => e.position)).toEqual([1, 5, 9, 13, 17, 21, 25, 29, 33, 37]);
  const again = await runCli(cli, ['export', '--db', target, '--no-progress']);
  expect(again.stdout).toBe(exported);
  // a second import would put position 1 after the head: refused, nothing written
  const twice = await runCli(cli, ['import', '--db', target, '-i', file, '--json']);
  expect(twice.code).toBe(1);
  expect(JSON.parse(twice.stderr).error).toMatchObject({ code: 'POSITION_GAP', line: 1 });
}

describe.runIf(pgUp)('whizbang on PostgreSQL', { timeout: 90_000 }, () => {
  it('migrate, then the round trip', async () => {
    const before = JSON.parse((await runCli(cli, ['migrate', '--db', pgTarget, '--json'])).stdout);
    expect(before).toMatchObject({ backend: 'postgres', version: 0, latest: SCHEMA_VERSION });
    const read = await runCli(cli, ['inspect', '--db', pgTarget]);
    expect(read.code).toBe(1);
    expect(read.stderr).toMatch(/^whizbang: NO_SCHEMA: /);
    const applied = await runCli(cli, ['migrate', '--db', pgTarget, '--apply']);
    expect(applied.stdout).toBe(`postgres schema migrated from version 0 to ${SCHEMA_VERSION}.\n`);
    await roundTrip(pgTarget, 'postgres');
  });
});

describe.runIf(natsUp)('whizbang on a JetStream shared log', { timeout: 90_000 }, () => {
  it('a read of a stream that is not there makes none; then the round trip', async () => {
    const missing = await runCli(cli, ['inspect', '--db', natsTarget]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`NOT_FOUND: There is no JetStream stream "${stream}"`);
    const again = await runCli(cli, ['verify', '--db', natsTarget, '--json']);
    expect(JSON.parse(again.stderr).error.code).toBe('NOT_FOUND');
    await roundTrip(natsTarget, 'jetstream');
    const migrate = await runCli(cli, ['migrate', '--db', natsTarget]);
    expect(migrate.stdout).toBe('A JetStream log has no schema: nothing to migrate.\n');
  });
});
