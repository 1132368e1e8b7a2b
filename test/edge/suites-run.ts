/**
 * Runs the test Worker's suites in workerd through miniflare and returns their results, one per
 * test, as the suites inside reported them.
 */
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { bundleWorker } from './bundle.ts';

/** One test's outcome inside workerd. */
export interface EdgeResult {
  readonly name: readonly string[];
  readonly status: 'pass' | 'fail' | 'skip' | 'todo';
  readonly error?: { readonly message: string; readonly stack: string };
}

/** Bundles test/edge/suites.ts, starts it, runs the suites named, and stops it. */
export async function runEdgeSuites(names: readonly string[]): Promise<Map<string, EdgeResult[]>> {
  const script = await bundleWorker(
    fileURLToPath(new URL('./suites.ts', import.meta.url)),
    // the cross-runtime shim; bundleWorker swaps its `expect` for test/edge/expect.mjs
    { vitest: fileURLToPath(new URL('../runtimes/vitest-shim.mjs', import.meta.url)) },
    true,
  );
  const mf = new Miniflare({
    // given as a module (not `script`): miniflare would refuse jest-util's dynamic import()
    modules: [{ type: 'ESModule', path: 'suites.mjs', contents: script }],
    compatibilityDate: '2025-10-01',
    // jest's `expect` (the tests' assertions, not the library) reads a few Node modules
    compatibilityFlags: ['nodejs_compat'],
    d1Databases: ['DB'],
    durableObjects: { SUITES: { className: 'Suites', useSQLite: true } },
  });
  try {
    const results = new Map<string, EdgeResult[]>();
    for (const name of names) {
      const response = await mf.dispatchFetch(`http://edge.test/${name}`);
      const text = await response.text();
      if (!response.ok) throw new Error(`suite ${name}: ${response.status} ${text}`);
      results.set(
        name,
        text
          .split('\n')
          .filter((line) => line.length > 0)
          .map((line) => JSON.parse(line) as EdgeResult),
      );
    }
    return results;
  } finally {
    await mf.dispose();
  }
}
