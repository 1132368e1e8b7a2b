import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SqliteDriver } from '../../adapters/sqlite/driver.ts';
import {
  hostileConformance,
  ledgerConformance,
  outboxConformance,
  storeConformance,
  syncConformance,
} from '../../js/conformance/mod.ts';
import { memoryLedger } from '../../js/memory/ledger.ts';
import { hostileRuns } from '../support/hostile.ts';

/**
 * What every SQLite engine runs: the conformance suites (hostile input too) on real files (one per
 * test), offline sync between replicas, and a reopen.
 * Returns the temp dir and a fresh-driver factory for the engine's own tests.
 */
export function sqliteSuite(
  name: string,
  open: (options: { path: string }) => SqliteDriver,
): { dir: string; fresh: () => SqliteDriver } {
  const dir = mkdtempSync(join(tmpdir(), 'whizbang-sqlite-'));
  let n = 0;
  const fresh = () => open({ path: join(dir, `t${++n}.db`) });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  ledgerConformance(name, fresh);
  storeConformance(name, fresh);
  outboxConformance(name, fresh);
  hostileConformance(name, fresh, hostileRuns());
  syncConformance(`${name} replicas, memory shared log`, {
    replica: () => {
      const path = join(dir, `replica${++n}.db`);
      return () => open({ path });
    },
    remote: () => memoryLedger(),
  });

  describe(`${name}: files`, () => {
    it('opens an existing file and keeps what was written', () => {
      const path = join(dir, 'keep.db');
      const a = open({ path });
      a.ledger.append('s', [{ type: 'T', data: { x: 1 } }]);
      a.close();
      const b = open({ path });
      expect(b.ledger.readStream('s').map((e) => e.data)).toEqual([{ x: 1 }]);
      expect(b.database.name).toBe(path);
      b.close();
    });
  });
  return { dir, fresh };
}
