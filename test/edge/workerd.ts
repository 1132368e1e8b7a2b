/**
 * Whether workerd (the `workerd` npm package's binary, which miniflare runs) starts here: the edge
 * tests fail under CI without it and skip loudly elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { reachable } from '../support/services.ts';

/** True when workerd answers `--version` (throws under CI when it does not). */
export function workerdReachable(): Promise<boolean> {
  return reachable(
    'workerd',
    async () => {
      const binary = (createRequire(import.meta.url)('workerd') as { default: string }).default;
      const run = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 30_000 });
      if (run.status !== 0)
        throw new Error(run.error?.message ?? (run.stderr || `exit ${run.status}`));
    },
    'npm install (miniflare brings workerd for this platform as @cloudflare/workerd-<os>-<arch>).',
  );
}
