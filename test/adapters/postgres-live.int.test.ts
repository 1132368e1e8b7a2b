/** A live lens on PostgreSQL hears another connection's commits and model writes (LISTEN/NOTIFY). */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresDriver } from '../../adapters/postgres/mod.ts';
import { accounts, createBank, Deposit, OpenAccount } from '../../examples/bank/domain.ts';
import { eventually } from '../../js/conformance/helpers.ts';
import { DATABASE_URL, postgresReachable } from '../support/services.ts';

const up = await postgresReachable('PostgreSQL');
const schema = `whizbang_live_${process.pid}_${Date.now().toString(36)}`;
// two pools: the reader and the writer share no connection, as two processes would
const pools = [1, 2].map(() => new pg.Pool({ connectionString: DATABASE_URL, max: 4 }));
for (const p of pools) p.on('error', () => {});

afterAll(async () => {
  if (up) await pools[0]!.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await Promise.all(pools.map((p) => p.end()));
});

describe.skipIf(!up)('PostgreSQL live lenses', () => {
  it('hear another connection’s appends and model writes', async () => {
    const reader = createBank({ driver: await postgresDriver({ pool: pools[0]!, schema }) });
    const driver = await postgresDriver({ pool: pools[1]!, schema });
    const writer = createBank({ driver });
    const acc: Array<number | undefined> = [];
    const all: string[][] = [];
    reader.lens(accounts).watch('acc', (m) => acc.push(m?.balance));
    reader
      .lens(accounts)
      .live({ orderBy: { accountId: 'asc' } }, (ms) => all.push(ms.map((m) => m.accountId)));
    await eventually(() => acc.length === 1 && all.length === 1);
    await new Promise((r) => setTimeout(r, 100)); // LISTEN is on
    await writer.send(OpenAccount({ accountId: 'acc', owner: 'Ada' }));
    await writer.send(Deposit({ accountId: 'acc', amount: 9 }));
    await eventually(() => acc.at(-1) === 9, 5_000);
    await driver.store.transaction((tx) =>
      tx.put('accounts', {
        id: 'side',
        tenant: 'default',
        model: { accountId: 'side', owner: 'Bo', balance: 4, movements: 1 },
        version: 1,
        position: 0,
        updatedAt: Date.now(),
      }),
    );
    await eventually(() => all.at(-1)?.length === 2, 5_000);
    expect(all.at(-1)).toEqual(['acc', 'side']);
    expect(acc[0]).toBeUndefined();
    await writer.close();
    await reader.close();
  });
});
