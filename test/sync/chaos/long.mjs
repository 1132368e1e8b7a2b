// The sync chaos suite's long run: `npm run test:chaos [-- seeds [steps]]` (seeds: a count, default
// 20, or a list like 3,8,13; steps per seed: default 300). vitest prints each seed's result.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const seeds = process.argv[2] ?? '20';
const steps = process.argv[3] ?? '300';
const result = spawnSync(
  process.execPath,
  [
    `${root}node_modules/vitest/vitest.mjs`,
    'run',
    'test/sync/sync-chaos.int.test.ts',
    '--reporter=verbose',
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      CHAOS_LONG: '1',
      CHAOS_SEEDS: seeds,
      CHAOS_STEPS: steps,
      CI: process.env.CI ?? '1',
    },
  },
);
process.exit(result.status ?? 1);
