/**
 * The work coordinator on SQLite files: the lease suite through two connections on one file, and
 * app instances each on a connection of its own to one file, as separate processes would be.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe } from 'vitest';
import { type SqliteDriver, sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { leaseConformance } from '../../js/conformance/lease.ts';
import { coordinationScenarios } from './suite.ts';

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

  coordinationScenarios(() => open(file()), true);
});
