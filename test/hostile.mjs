// `npm run test:hostile`: the hostile-input suite with many runs on every driver (memory, SQLite,
// IndexedDB, PostgreSQL, JetStream). HOSTILE_RUNS (default 300) sets the runs per property and
// HOSTILE_SEED replays a failure; `npm test` makes a short seeded run of the same files.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const env = { ...process.env, HOSTILE_RUNS: process.env.HOSTILE_RUNS ?? '300' };
const files = [
  'test/conformance/hostile.unit.test.ts',
  'test/adapters/hostile.int.test.ts',
  'test/adapters/sqlite.unit.test.ts',
  'test/adapters/indexeddb.unit.test.ts',
];
const r = spawnSync(
  join('node_modules', '.bin', 'vitest'),
  ['run', ...files, '-t', 'hostile-input', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    env,
    shell: process.platform === 'win32',
  },
);
process.exit(r.status ?? 1);
