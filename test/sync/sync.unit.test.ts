import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { accounts, createBank, Deposit, OpenAccount } from '../../examples/bank/domain.ts';
import { memoryDriver } from '../../js/memory/driver.ts';
import { memoryLedger } from '../../js/memory/ledger.ts';
import { offlineDriver } from '../../js/sync/driver.ts';
import { type SyncReport, startSync } from '../../js/sync/engine.ts';
import { isWhizbangError } from '../../js/util/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'whizbang-sync-unit-'));
let n = 0;
const replica = () => offlineDriver(sqliteDriver({ path: join(dir, `r${++n}.db`) }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return isWhizbangError(error) ? error.code : 'not a WhizbangError';
  }
  return undefined;
};

describe('offline sync: setup errors', () => {
  it('refuses a driver that cannot replace a pending tail, saying which drivers can', () => {
    let message = '';
    try {
      offlineDriver(memoryDriver());
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/cannot sync offline.*SQLite or IndexedDB/);
    expect(codeOf(() => offlineDriver(memoryDriver()))).toBe('INVALID_ARGUMENT');
  });

  it('refuses an app not built on offlineDriver, a missing remote and bad numbers', async () => {
    const plain = createBank();
    expect(codeOf(() => startSync(plain, { remote: memoryLedger() }))).toBe('INVALID_ARGUMENT');
    const app = createBank({ driver: replica() });
    expect(codeOf(() => startSync(app, {} as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => startSync(app, { remote: memoryLedger(), pageSize: 0 }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(() => startSync(app, { remote: memoryLedger(), pushWindow: 1.5 }))).toBe(
      'INVALID_ARGUMENT',
    );
    await app.close();
    await plain.close();
  });
});

describe('offline sync in the background', () => {
  it('pushes on local commits and pulls on the shared log’s, until stopped', async () => {
    const remote = memoryLedger();
    const a = createBank({ driver: replica() });
    const b = createBank({ driver: replica() });
    const errors: unknown[] = [];
    const rounds: SyncReport[] = [];
    const syncA = startSync(a, {
      remote,
      intervalMs: 20,
      onError: (e) => errors.push(e),
      onRound: (r) => rounds.push(r),
    });
    const syncB = startSync(b, { remote, intervalMs: 20, onError: (e) => errors.push(e) });
    syncA.start();
    syncB.start();
    await a.send(OpenAccount({ accountId: 'acc', owner: 'Ada' }));
    await a.send(Deposit({ accountId: 'acc', amount: 12 }));
    const deadline = Date.now() + 10_000;
    while ((await b.lens(accounts).get('acc'))?.balance !== 12) {
      if (Date.now() > deadline) throw new Error('b never saw a’s deposit');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await syncA.pending()).toEqual([]);
    // each round is reported: between them, they pushed a's two commits
    expect(rounds.reduce((n, r) => n + r.pushed, 0)).toBe(2);
    expect(await syncA.run()).toEqual(rounds.at(-1));
    await syncA.stop();
    await syncB.stop();
    // stopped: a's next commit stays pending
    await a.send(Deposit({ accountId: 'acc', amount: 1 }));
    await new Promise((r) => setTimeout(r, 60));
    expect(await syncA.pending()).toHaveLength(1);
    expect(errors).toEqual([]);
    await a.close();
    await b.close();
  });

  it('announces each round as it starts (onRoundStart), before the report of its end', async () => {
    const remote = memoryLedger();
    const a = createBank({ driver: replica() });
    const seen: string[] = [];
    const sync = startSync(a, {
      remote,
      onRoundStart: () => seen.push('start'),
      onRound: () => seen.push('end'),
    });
    await a.send(OpenAccount({ accountId: 'acc', owner: 'Ada' }));
    await Promise.all([sync.run(), sync.run()]);
    expect(seen).toEqual(['start', 'end', 'start', 'end']);
    await a.close();
  });

  it('reports a failing round to onError and recovers on the next', async () => {
    const shared = memoryLedger();
    let offline = true;
    const remote = {
      ...shared,
      readAll: (o?: Parameters<typeof shared.readAll>[0]) => {
        if (offline) throw new Error('offline');
        return shared.readAll(o);
      },
    };
    const a = createBank({ driver: replica() });
    const errors: unknown[] = [];
    const sync = startSync(a, { remote, intervalMs: 10, onError: (e) => errors.push(e) });
    sync.start();
    await a.send(OpenAccount({ accountId: 'acc', owner: 'Ada' }));
    while (errors.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(String(errors[0])).toMatch(/offline/);
    offline = false;
    while ((await sync.pending()).length > 0) await new Promise((r) => setTimeout(r, 5));
    expect(await shared.headPosition()).toBe(1);
    await sync.stop();
    await a.close();
  });
});

describe('offline sync: rebuilds after a replaced tail', () => {
  it('rebuilds only the perspectives of the event types that were replaced or came in', async () => {
    const remote = memoryLedger();
    const a = createBank({ driver: replica() });
    const b = createBank({ driver: replica() });
    const rebuilt: string[] = [];
    const rebuild = b.rebuild.bind(b);
    b.rebuild = async (p) => {
      rebuilt.push(p.name);
      await rebuild(p);
    };
    const syncA = startSync(a, { remote });
    const syncB = startSync(b, { remote });
    await a.send(OpenAccount({ accountId: 'acc', owner: 'Ada' }));
    await syncA.run();
    await syncB.run();
    await a.send(Deposit({ accountId: 'acc', amount: 5 }));
    await b.send(Deposit({ accountId: 'acc', amount: 7 }));
    await syncA.run();
    expect(await syncB.run()).toMatchObject({ redecided: 1 });
    // accounts and totals read deposits; transfers does not
    expect(rebuilt.sort()).toEqual(['accounts', 'totals']);
    expect((await b.lens(accounts).get('acc'))?.balance).toBe(12);
    await a.close();
    await b.close();
  });
});
