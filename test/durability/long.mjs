// The durability rig's long run: `npm run test:durability [-- seeds]` (a count, default 5, or a
// list like 3,8,13). Every combination, more orders, the sender and the receiver killed several
// times per run and the broker twice (1.5 s and 7 s down); vitest prints each seed's result.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const seeds = process.argv[2] ?? '5';
const result = spawnSync(
  process.execPath,
  [`${root}node_modules/vitest/vitest.mjs`, 'run', 'test/durability', '--reporter=verbose'],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, RIG_LONG: '1', RIG_SEEDS: seeds, CI: process.env.CI ?? '1' },
  },
);
process.exit(result.status ?? 1);
