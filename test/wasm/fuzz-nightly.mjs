// `npm run fuzz [-- runs] [seed]`: the nightly-size fuzz run of every decoder (default 1 000 000
// inputs), the same test file `npm test` runs with 3 000.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const [runs = '1000000', seed = String(Date.now() & 0x7fffffff)] = process.argv.slice(2);
console.log(`fuzz: ${runs} inputs, seed ${seed}`);
const r = spawnSync(
  join('node_modules', '.bin', 'vitest'),
  ['run', 'test/wasm/fuzz.unit.test.ts', '--testTimeout=0'],
  {
    stdio: 'inherit',
    env: { ...process.env, WHIZBANG_FUZZ_RUNS: runs, WHIZBANG_FUZZ_SEED: seed },
  },
);
process.exitCode = r.status ?? 1;
