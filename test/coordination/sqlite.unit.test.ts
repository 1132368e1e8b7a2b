/**
 * The work coordinator on SQLite files: the lease suite through two connections on one file, and
 * app instances each on a connection of its own to one file, as separate processes would be.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { type SqliteDriver, sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { leaseConformance } from '../../js/conformance/lease.ts';
import {
  coordinatedShareAndHandOver,
  oneRelayAtATime,
  partitionedShare,
  takeoverAfterSilence,
  uncoordinatedStillOnce,
} from './scenarios.ts';
import { schedulesSurviveAndFireOnce } from './schedule-scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'coordinator-sqlite-'));
let files = 0;
const file = (): string => join(dir, `db-${++files}.sqlite`);
const open = (path: string) => (): SqliteDriver => sqliteDriver({ path, pollMs: 10 });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('work coordinator on SQLite', () => {
  leaseConformance('sqlite', () => {
    const path = file();
    const a = open(path)();
    const b = open(path)();
    return {
      a: a.leases,
      b: b.leases,
      close: () => {
        a.close();
        b.close();
      },
    };
  });

  it('applies each event once with two uncoordinated instances', async () => {
    await uncoordinatedStillOnce(open(file()));
  });

  it('shares the perspectives between two instances and hands them over', async () => {
    await coordinatedShareAndHandOver(open(file()));
  });

  it('splits a perspective into partitions shared by two instances', async () => {
    await partitionedShare(open(file()));
  });

  it('runs one relay at a time, and every record goes out once', async () => {
    await oneRelayAtATime(open(file()));
  });

  it('keeps scheduled commands and saga timeouts across restarts, and sends each once', async () => {
    await schedulesSurviveAndFireOnce(open(file()));
  });

  it('takes over the work of a silent owner once its lease expires', async () => {
    const path = file();
    const ghost = open(path)();
    try {
      await takeoverAfterSilence(open(path), async (lease, ttl) => {
        await ghost.leases.acquire(lease, 'ghost', ttl);
      });
    } finally {
      ghost.close();
    }
  });
});
