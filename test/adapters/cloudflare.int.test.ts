/**
 * The ledger, store and outbox conformance suites inside workerd (through miniflare), on a Durable
 * Object's SQLite storage and on D1: each test there is one test here.
 */
import { describe, it } from 'vitest';
import { type EdgeResult, runEdgeSuites } from '../edge/suites-run.ts';
import { workerdReachable } from '../edge/workerd.ts';

const up = await workerdReachable();
const results = up ? await runEdgeSuites(['do', 'd1']) : new Map<string, EdgeResult[]>();

for (const suite of ['do', 'd1']) {
  const list = results.get(suite) ?? [];
  describe.skipIf(!up)(`inside workerd: ${suite}`, () => {
    it('ran its tests', () => {
      if (list.length < 50) throw new Error(`only ${list.length} results came back`);
    });
    for (const result of list) {
      it(result.name.join(' > '), () => {
        if (result.status === 'fail') {
          const error = new Error(result.error?.message ?? 'failed inside workerd');
          if (result.error?.stack) error.stack = result.error.stack;
          throw error;
        }
      });
    }
  });
}
