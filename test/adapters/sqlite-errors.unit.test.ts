/**
 * SQLite's failures as coded errors at the driver boundary: a write lock another connection holds
 * is waited for on timers (the event loop runs on) and, past the busy timeout, refused with BUSY;
 * calls after close() — the driver's, or the caller's own database closed under it — are CLOSED;
 * the watcher's poll stops cleanly when a caller-owned database is closed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { isWhizbangError } from '../../js/mod.ts';

const dir = mkdtempSync(join(tmpdir(), 'whizbang-sqlite-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => join(dir, `db-${++n}.sqlite`);

describe('sqlite errors', () => {
  it('waits for another connection’s write lock without blocking the event loop', async () => {
    const path = file();
    const holder = sqliteDriver({ path });
    const writer = sqliteDriver({ path, busyTimeoutMs: 5_000 });
    try {
      holder.database.exec('BEGIN IMMEDIATE');
      const appended = writer.ledger.append('s', [{ type: 'T', data: {} }]);
      expect(appended).toBeInstanceOf(Promise); // not done, and not blocking
      let ticks = 0;
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (++ticks === 5) {
            clearInterval(timer);
            resolve();
          }
        }, 5);
      });
      expect(ticks).toBe(5); // timers ran while the append waited
      holder.database.exec('COMMIT');
      await expect(appended).resolves.toMatchObject({ version: 1 });
    } finally {
      writer.close();
      holder.close();
    }
  });

  it('refuses with BUSY after the busy timeout, writing nothing', async () => {
    const path = file();
    const holder = sqliteDriver({ path });
    const writer = sqliteDriver({ path, busyTimeoutMs: 60 });
    try {
      holder.database.exec('BEGIN IMMEDIATE');
      const error = await Promise.resolve(
        writer.ledger.append('s', [{ type: 'T', data: {} }]),
      ).catch((e: unknown) => e);
      expect(isWhizbangError(error, 'BUSY')).toBe(true);
      holder.database.exec('COMMIT');
      expect(writer.ledger.headPosition()).toBe(0);
      // and the connection is usable again
      await writer.ledger.append('s', [{ type: 'T', data: {} }]);
      expect(writer.ledger.streamVersion('s')).toBe(1);
    } finally {
      writer.close();
      holder.close();
    }
  });

  it('refuses calls after close() with CLOSED, also when the caller closed its own database', async () => {
    const owned = sqliteDriver({ path: ':memory:' });
    owned.close();
    for (const call of [
      () => owned.ledger.append('s', [{ type: 'T', data: {} }]),
      () => owned.ledger.readAll(),
      () => owned.store.query('p', 'default', {}),
    ]) {
      expect(() => call()).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    }
    const database = new Database(':memory:');
    const driver = sqliteDriver({ database });
    database.close();
    expect(() => driver.ledger.readStream('s')).toThrow(
      expect.objectContaining({ code: 'CLOSED' }),
    );
    expect(() => driver.ledger.append('s', [{ type: 'T', data: {} }])).toThrow(
      expect.objectContaining({ code: 'CLOSED' }),
    );
  });

  it('stops polling cleanly when a caller-owned database is closed under a watcher', async () => {
    const database = new Database(':memory:');
    const driver = sqliteDriver({ database, pollMs: 2 });
    const uncaught: unknown[] = [];
    const onError = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onError);
    let woken = 0;
    try {
      driver.ledger.watch(() => woken++);
      database.close();
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(uncaught).toEqual([]);
      expect(woken).toBe(1); // told once, so its next read finds the database closed
    } finally {
      process.off('uncaughtException', onError);
    }
  });
});
