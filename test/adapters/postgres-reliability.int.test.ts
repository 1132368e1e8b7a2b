import fc from 'fast-check';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fromPgPool,
  type PostgresDriver,
  postgresDriver,
  postgresRowLevelSecurity,
} from '../../adapters/postgres/mod.ts';
import { migrate, SCHEMA_VERSION, schemaNames } from '../../adapters/postgres/schema.ts';
import { caught } from '../../js/conformance/helpers.ts';
import { randomModel, randomQuery, rowsOf } from '../../js/conformance/store/random-query.ts';
import type { RecordedEvent } from '../../js/contracts/ledger.ts';
import type { StoredModel } from '../../js/contracts/store.ts';
import { runQuery } from '../../js/kit/query.ts';
import { isConcurrencyError, isWhizbangError } from '../../js/util/errors.ts';
import { DATABASE_URL, postgresReachable } from '../support/services.ts';
import { bankAcrossReopen, bankInboxOnce, bankRefusalKeepsNothing } from './bank-scenario.ts';

// What only a server proves: many connections at once, commits out of order, a connection killed
// mid-transaction, LISTEN/NOTIFY across pools, tenants kept apart, migrations, lens SQL.
const up = await postgresReachable('PostgreSQL');

const base = `whizbang_rel_${process.pid}_${Date.now().toString(36)}`;
let n = 0;
const schemas: string[] = [];
const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
admin.on('error', () => {});
const opened: Array<{ close(): Promise<void> }> = [];

/** A new schema of its own; drivers on it each with a pool of their own (other connections). */
function place(): { schema: string; open: (pollMs?: number) => Promise<PostgresDriver> } {
  const schema = `${base}_${++n}`;
  schemas.push(schema);
  return {
    schema,
    open: async (pollMs = 50) => {
      const driver = await postgresDriver({ url: DATABASE_URL, schema, max: 4, pollMs });
      opened.push(driver);
      return driver;
    },
  };
}

afterAll(async () => {
  await Promise.allSettled(opened.map((d) => d.close()));
  if (up) for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await admin.end();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await sleep(10);
  }
  throw new Error(`Still waiting for ${what}`);
}

describe.skipIf(!up)('PostgreSQL under concurrency', () => {
  it('gives each version of one stream to exactly one of many connections', async () => {
    const { open } = place();
    const writers = await Promise.all(Array.from({ length: 8 }, () => open()));
    const wins = new Array<number>(writers.length).fill(0);
    let conflicts = 0;
    await Promise.all(
      writers.map(async (w, i) => {
        for (let k = 0; k < 15; k++) {
          const version = await w.ledger.streamVersion('hot');
          try {
            await w.ledger.append('hot', [{ type: 'Tick', data: { writer: i, k } }], {
              expectedVersion: version,
            });
            wins[i]!++;
          } catch (error) {
            if (!isConcurrencyError(error)) throw error;
            conflicts++;
          }
        }
      }),
    );
    const events = await writers[0]!.ledger.readStream('hot');
    const total = wins.reduce((a, b) => a + b, 0);
    expect(events.map((e) => e.version)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(total + conflicts).toBe(8 * 15);
    expect(conflicts).toBeGreaterThan(0); // they did race
  });

  it('shows a subscriber every event once, in position order, while 8 writers commit out of order', async () => {
    const { open } = place();
    const writers = await Promise.all(Array.from({ length: 8 }, () => open()));
    const reader = await open(10);
    const per = 40;
    const seen: number[] = [];
    let gaps = 0;
    let done = false;
    const reading = (async () => {
      while (!done || seen.length < writers.length * per) {
        const from = (seen.at(-1) ?? 0) + 1;
        const batch = await reader.ledger.readAll({ from });
        if (batch.length > 0 && batch[0]!.position !== from) gaps++;
        for (const e of batch) seen.push(e.position);
        if (batch.length === 0) await sleep(1);
      }
    })();
    await Promise.all(
      writers.map(async (w, i) => {
        for (let k = 0; k < per; k++) {
          // inline work that takes a while: later appends would commit before earlier ones
          await w.ledger.append(`s-${i}`, [{ type: 'T', data: { i, k } }], {
            inTransaction: async () => {
              await sleep((i * 7 + k) % 4);
            },
          });
        }
      }),
    );
    done = true;
    await reading;
    expect(gaps).toBe(0);
    expect(seen).toEqual(Array.from({ length: writers.length * per }, (_, i) => i + 1));
  });

  it('leaves nothing of a transaction whose connection is killed, and the driver carries on', async () => {
    const { schema, open } = place();
    const driver = await open();
    await driver.ledger.append('acct', [{ type: 'Opened', data: {} }]);
    let inside!: () => void;
    const entered = new Promise<void>((r) => {
      inside = r;
    });
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const append = driver.ledger.append('acct', [{ type: 'Deposited', data: { amount: 5 } }], {
      inTransaction: async (_events, tx) => {
        await tx.put('balances', {
          id: 'acct',
          tenant: 'default',
          model: { balance: 5 },
          version: 2,
          position: 2,
          updatedAt: Date.now(),
        });
        inside();
        await held;
      },
    });
    const failure = caught(() => append);
    await entered;
    // the backend holding this schema's append lock is the one mid-transaction
    const { rows } = await admin.query(
      "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid::bigint = (hashtext($1)::bigint & 4294967295)",
      [`whizbang.append:${schema}`],
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const { pid } of rows) await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    release();
    expect(await failure).toBeInstanceOf(Error);
    expect((await driver.ledger.readStream('acct')).map((e) => e.type)).toEqual(['Opened']);
    expect(await driver.store.get('balances', 'default', 'acct')).toBeUndefined();
    const next = await driver.ledger.append('acct', [{ type: 'Deposited', data: { amount: 6 } }]);
    expect([next.version, next.position]).toEqual([2, 2]);
  });

  it('wakes a watcher in another pool by NOTIFY, and after its LISTEN connection is killed', async () => {
    const { schema, open } = place();
    const writer = await open();
    const watcher = await open(60_000); // the poll would take a minute: only NOTIFY wakes it soon
    let woken = 0;
    const stop = watcher.ledger.watch(() => {
      woken++;
    });
    await sleep(100); // LISTEN is in place
    await writer.ledger.append('s', [{ type: 'T', data: {} }]);
    await eventually(() => woken > 0, 'a NOTIFY');
    const before = woken;
    const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE query = $1', [
      `LISTEN "whizbang_events:${schema}"`,
    ]);
    expect(rows.length).toBeGreaterThan(0);
    for (const { pid } of rows) await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await writer.ledger.append('s', [{ type: 'T', data: {} }]); // possibly while nobody listens
    await eventually(() => woken > before, 'a wake after LISTEN reconnected');
    stop();
  });
});

describe.skipIf(!up)('PostgreSQL tenants', () => {
  it('keeps every read path of one tenant free of another tenant’s rows', async () => {
    const { open } = place();
    const d = await open();
    const model = (tenant: string, balance: number): StoredModel => ({
      id: 'acct',
      tenant,
      model: { owner: tenant, balance },
      version: 1,
      position: 1,
      updatedAt: 1,
    });
    for (const [tenant, balance] of [
      ['acme', 10],
      ['globex', 20],
    ] as const) {
      await d.ledger.append('acct', [{ type: 'Opened', data: { tenant } }], {
        tenant,
        inTransaction: async (_e, tx) => {
          await tx.put('accounts', model(tenant, balance));
          await tx.outbox?.markHandled(tenant, `m-${tenant}`);
        },
      });
      await d.snapshots!.save('Account', tenant, 'acct', {
        version: 1,
        state: { tenant },
        schemaVersion: 1,
        takenAt: 1,
      });
    }
    const only = (events: RecordedEvent[]) => events.every((e) => e.tenant === 'acme');
    expect(only(await d.ledger.readStream('acct', { tenant: 'acme' }))).toBe(true);
    expect(await d.ledger.readStream('acct', { tenant: 'acme' })).toHaveLength(1);
    expect(only(await d.ledger.readAll({ tenant: 'acme' }))).toBe(true);
    expect(await d.ledger.readAll({ tenant: 'acme', types: ['Opened'] })).toHaveLength(1);
    expect(await d.ledger.streamVersion('acct', { tenant: 'acme' })).toBe(1);
    expect(await d.store.get('accounts', 'acme', 'acct')).toMatchObject({
      model: { owner: 'acme' },
    });
    for (const query of [
      {},
      { where: { balance: { gte: 0 } } },
      { orderBy: { balance: 'desc' } },
    ]) {
      const rows = await d.store.query('accounts', 'acme', query as never);
      expect(rows.map((r) => r.tenant)).toEqual(['acme']);
    }
    expect(await d.snapshots!.load('Account', 'acme', 'acct')).toMatchObject({
      state: { tenant: 'acme' },
    });
    expect(await d.store.outbox.handled('acme', 'm-globex')).toBe(false);
    expect(await d.ledger.readStream('acct')).toEqual([]); // the default tenant has nothing
  });
});

describe.skipIf(!up)('PostgreSQL row-level security', () => {
  const role = `whizbang_tenant_${process.pid}`;
  afterAll(async () => {
    if (!up) return;
    for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
  });

  it('binds a role to the tenant of its connection: other tenants are invisible and refused', async () => {
    const { schema, open } = place();
    const owner = await open();
    await admin.query(`DROP ROLE IF EXISTS ${role}; CREATE ROLE ${role} LOGIN`);
    await postgresRowLevelSecurity({ pool: admin, schema, role });
    await postgresRowLevelSecurity({ pool: admin, schema, role }); // again: idempotent
    for (const tenant of ['acme', 'globex']) {
      await owner.ledger.append('acct', [{ type: 'Opened', data: { tenant } }], {
        tenant,
        inTransaction: async (events, tx) => {
          await tx.put('accounts', {
            id: 'acct',
            tenant,
            model: { tenant },
            version: 1,
            position: events[0]!.position,
            updatedAt: 1,
          });
        },
      });
    }
    const url = new URL(DATABASE_URL);
    url.username = role;
    const pool = new pg.Pool({
      connectionString: url.toString(),
      options: '-c whizbang.tenant=acme',
      max: 2,
    });
    pool.on('error', () => {});
    const acme = await postgresDriver({ pool, schema, migrate: false });
    try {
      expect(await acme.ledger.readStream('acct', { tenant: 'globex' })).toEqual([]);
      expect((await acme.ledger.readAll()).map((e) => e.tenant)).toEqual(['acme']);
      expect(await acme.store.get('accounts', 'globex', 'acct')).toBeUndefined();
      expect(await acme.store.get('accounts', 'acme', 'acct')).toMatchObject({
        model: { tenant: 'acme' },
      });
      // its own tenant appends, with the next position of the whole log
      const mine = await acme.ledger.append('acct', [{ type: 'Deposited', data: {} }], {
        tenant: 'acme',
      });
      expect([mine.version, mine.position]).toEqual([2, 3]);
      const append = await caught(() =>
        acme.ledger.append('acct', [{ type: 'Deposited', data: {} }], { tenant: 'globex' }),
      );
      expect(isWhizbangError(append, 'FORBIDDEN')).toBe(true);
      const put = await caught(() =>
        acme.store.transaction((tx) =>
          tx.put('accounts', {
            id: 'x',
            tenant: 'globex',
            model: {},
            version: 1,
            position: 1,
            updatedAt: 1,
          }),
        ),
      );
      expect(isWhizbangError(put, 'FORBIDDEN')).toBe(true);
      expect(await owner.ledger.readStream('acct', { tenant: 'globex' })).toHaveLength(1);
      // checkpoints are every tenant's: the role moves one forward (inline perspectives), up to
      // the head of the log, never back, never deletes; the schema's version is read-only
      await acme.store.transaction((tx) => tx.setCheckpoint('accounts', 2));
      await acme.store.transaction((tx) => tx.setCheckpoint('accounts', 3));
      for (const position of [1, 999]) {
        const moved = await caught(() =>
          acme.store.transaction((tx) => tx.setCheckpoint('accounts', position)),
        );
        expect(isWhizbangError(moved, 'FORBIDDEN')).toBe(true);
      }
      expect(await owner.store.checkpoint('accounts')).toBe(3);
      for (const sql of [
        `DELETE FROM "${schema}".whizbang_checkpoints`,
        `DELETE FROM "${schema}".whizbang_schema`,
        `UPDATE "${schema}".whizbang_schema SET version = 99`,
      ]) {
        const refused = await caught(() => pool.query(sql));
        expect((refused as { code?: string }).code).toBe('42501');
      }
      await owner.store.transaction((tx) => tx.setCheckpoint('accounts', 1)); // the owner may
    } finally {
      await acme.close();
      await pool.end();
    }
  });

  it('refuses a schema name a dollar-quoted function body could not hold', async () => {
    for (const schema of ['a$fn$b', 'x$', 'n\0ul']) {
      const error = await caught(() => postgresDriver({ pool: admin, schema }));
      expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});

describe.skipIf(!up)('PostgreSQL schema', () => {
  it('upgrades a schema from version 1 keeping its events', async () => {
    const { schema, open } = place();
    const names = schemaNames(schema);
    const engine = fromPgPool(admin);
    expect(await migrate(engine, names, 1)).toBe(0);
    // written as version 1 wrote them
    await admin.query(
      `SELECT * FROM "${schema}".whizbang_append('default', 'old', -1, ARRAY['Made'], ARRAY['m-1'], ARRAY[NULL], ARRAY[NULL], ARRAY[1700000000000::float8], ARRAY['{"a":1}'::jsonb], ARRAY[NULL::jsonb])`,
    );
    const d = await open();
    const [event] = await d.ledger.readStream('old');
    expect(event).toMatchObject({ type: 'Made', data: { a: 1 }, messageId: 'm-1', version: 1 });
    expect(event?.timestamp).toBe(1700000000000);
    const { rows } = await admin.query(`SELECT max(version) AS v FROM "${schema}".whizbang_schema`);
    expect(rows[0].v).toBe(SCHEMA_VERSION);
  });

  it('refuses a schema written by a newer Whizbang, and one not migrated when told not to', async () => {
    const { schema, open } = place();
    const d = await open();
    await d.ledger.append('s', [{ type: 'T', data: {} }]);
    await admin.query(`INSERT INTO "${schema}".whizbang_schema (version) VALUES (99)`);
    const error = await caught(() => postgresDriver({ url: DATABASE_URL, schema }));
    expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toMatch(/newer Whizbang \(schema 99/);
    expect(await d.ledger.readStream('s')).toHaveLength(1);

    const other = place();
    const refused = await caught(() =>
      postgresDriver({ url: DATABASE_URL, schema: other.schema, migrate: false }),
    );
    expect((refused as Error).message).toMatch(/Run migratePostgres/);
    const { rows } = await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [
      other.schema,
    ]);
    expect(rows).toEqual([]); // nothing was created
  });
});

describe.skipIf(!up)('PostgreSQL bad input', () => {
  it('refuses what jsonb cannot hold and oversize payloads, writing nothing', async () => {
    const { open } = place();
    const d = await open();
    for (const data of [{ text: 'nul\u0000' }, { text: 'lone \ud800 surrogate' }]) {
      const error = await caught(() => d.ledger.append('s', [{ type: 'T', data }]));
      expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
    }
    // escaped text that only looks like those escapes is fine
    const fine = { text: 'a\\u0000b \\ud800', pair: '🧪' };
    await d.ledger.append('s', [{ type: 'T', data: fine }]);
    expect((await d.ledger.readStream('s'))[0]?.data).toEqual(fine);
    const big = await caught(() =>
      d.ledger.append('s', [{ type: 'T', data: { text: 'é'.repeat(600_000) } }]),
    );
    expect(isWhizbangError(big, 'INVALID_ARGUMENT')).toBe(true);
    expect((big as Error).message).toMatch(/over the 1048576-byte limit/);
    expect(await d.ledger.headPosition()).toBe(1);
  });
});

describe.skipIf(!up)('PostgreSQL lens queries in SQL', () => {
  it('answer as the JavaScript evaluator does, for random models and queries', async () => {
    const { open } = place();
    const d = await open();
    await fc.assert(
      fc.asyncProperty(
        fc.array(randomModel, { maxLength: 12 }),
        randomQuery,
        async (models, query) => {
          await d.store.clear('p');
          const rows = rowsOf(models);
          await d.store.transaction(async (tx) => {
            for (const row of rows) await tx.put('p', row);
          });
          const expected = runQuery(rows, (r) => r.model, query).map((r) => r.id);
          const actual = (await d.store.query('p', 'default', query)).map((r) => r.id);
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe.skipIf(!up)('the bank on PostgreSQL', () => {
  it('runs commands, cascades and perspectives, and keeps them for the next process', async () => {
    const { open } = place();
    await bankAcrossReopen(() => open());
  });

  it('rolls back a refused command: nothing in the schema', () =>
    bankRefusalKeepsNothing(place().open));

  it('handles a message delivered twice once, through the inbox', () =>
    bankInboxOnce(place().open));
});
