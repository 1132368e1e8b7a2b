import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { memoryLedger } from '../../js/memory/ledger.ts';
import { syncConformance } from '../conformance/sync.ts';

// Replicas on real SQLite files, the shared log in memory.
const dir = mkdtempSync(join(tmpdir(), 'whizbang-sync-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

syncConformance('SQLite replicas, memory shared log', {
  replica: () => {
    const path = join(dir, `replica${++n}.db`);
    return () => sqliteDriver({ path });
  },
  remote: () => memoryLedger(),
});
