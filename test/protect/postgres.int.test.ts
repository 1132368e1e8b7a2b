// After forget, the PostgreSQL tables' files hold none of the subject's protected values.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { fromPgPool, postgresDriver, postgresKeyStore } from '../../adapters/postgres/mod.ts';
import { isWhizbangError, whizbang } from '../../js/mod.ts';
import { protect, REDACTED } from '../../js/protect/mod.ts';
import { DATABASE_URL, postgresReachable } from '../support/services.ts';
import {
  ada,
  customers,
  masterKey,
  Register,
  Registered,
  Rename,
  Renamed,
  register,
  rename,
} from './fixture.ts';

const up = await postgresReachable('PostgreSQL');
const schema = `whizbang_protect_${process.pid}_${Date.now().toString(36)}`;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
pool.on('error', () => {});
afterAll(async () => {
  if (up) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

// the bytes of every table of the schema (and their TOAST), as stored on disk
const rawTables = async (): Promise<string> => {
  const { rows } = await pool.query(
    `SELECT c.oid::regclass::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind = 'r'`,
    [schema],
  );
  let out = '';
  for (const { name } of rows as Array<{ name: string }>) {
    await pool.query(`VACUUM FULL ${name}`);
    await pool.query('CHECKPOINT');
    const files = await pool.query(
      `SELECT pg_relation_filepath(c.oid) AS path FROM pg_class c
       WHERE c.oid = $1::regclass OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE oid = $1::regclass)`,
      [name],
    );
    for (const { path } of files.rows as Array<{ path: string | null }>) {
      if (path === null) continue;
      const bytes = await pool.query('SELECT pg_read_binary_file($1) AS b', [path]);
      out += (bytes.rows[0].b as Buffer).toString('latin1');
    }
  }
  return out;
};

describe.skipIf(!up)('protect on PostgreSQL', () => {
  it('leaves no plaintext of a forgotten subject in the tables; the app restarts and rebuilds', async () => {
    const master = await masterKey();
    const start = async () => {
      const driver = await postgresDriver({ pool, schema });
      const keys = await postgresKeyStore({ connection: fromPgPool(pool), schema });
      const protectedDriver = protect(driver, { master, keys, events: [Registered, Renamed] });
      const app = whizbang('shop')
        .receptor(register)
        .receptor(rename)
        .perspective(customers)
        .build({ driver: protectedDriver });
      return { app, forget: protectedDriver.forget, keys };
    };
    const secrets = ['ada.c-1@example.org', 'Analytical Engine Row c-1', 'Ada King'];
    const first = await start();
    await first.app.send(Register(ada('c-1')));
    await first.app.send(Register(ada('c-2')));
    await first.app.send(Rename({ customerId: 'c-1', name: 'Ada King' }));
    await first.app.waitForPerspectives();
    const before = await rawTables();
    for (const s of secrets) expect(before).toContain(s); // the read model keeps them in clear
    const events = await pool.query(`SELECT data::text AS d FROM "${schema}".whizbang_events`);
    expect(JSON.stringify(events.rows)).not.toContain('ada.c-1@example.org');

    expect(await first.forget('c-1')).toBe(true);
    await first.app.rebuild(customers);
    const after = await rawTables();
    for (const s of secrets) expect(after).not.toContain(s);
    expect(after).toContain('ada.c-2@example.org');
    await first.app.close();

    const second = await start();
    expect(await second.app.lens(customers).get('c-1')).toEqual({
      name: REDACTED,
      email: REDACTED,
      street: REDACTED,
      city: 'London',
    });
    await second.app.rebuild(customers);
    expect(await second.app.lens(customers).get('c-2')).toMatchObject({
      email: 'ada.c-2@example.org',
    });

    // the keys are bound to their master key
    const other = protect(await postgresDriver({ pool, schema }), {
      master: await masterKey(),
      keys: second.keys,
      events: [Registered, Renamed],
    });
    const error = await Promise.resolve(other.ledger.readStream('customer-c-2')).catch((e) => e);
    expect(isWhizbangError(error, 'MASTER_KEY_MISMATCH')).toBe(true);
    await second.app.close();
  });

  it('drops every kind of snapshot of one stream, and nothing else', async () => {
    const driver = await postgresDriver({ pool, schema: `${schema}_drop` });
    const at = (version: number) => ({
      version,
      state: { v: version },
      schemaVersion: 1,
      takenAt: 1,
    });
    for (const kind of ['a', 'b']) {
      await driver.snapshots!.save(kind, 't1', 's1', at(1));
      await driver.snapshots!.save(kind, 't1', 's2', at(2));
    }
    await driver.snapshots!.drop!('t1', 's1');
    for (const kind of ['a', 'b']) {
      expect(await driver.snapshots!.load(kind, 't1', 's1')).toBeUndefined();
      expect(await driver.snapshots!.load(kind, 't1', 's2')).toMatchObject({ version: 2 });
    }
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}_drop" CASCADE`);
  });
});
