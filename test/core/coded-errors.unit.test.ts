// @runtimes node deno bun
/**
 * Every failure that leaves the public API is a WhizbangError with a code: a receptor that throws
 * something that is not an Error, a tenant that is not a string, ids no driver keeps.
 */
import { describe, expect, it } from 'vitest';
import { caught } from '../../js/conformance/helpers.ts';
import {
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  isWhizbangError,
  memoryDriver,
  payload,
  whizbang,
} from '../../js/mod.ts';

const Do = defineCommand('Do', payload<{ id: string; how: string }>());
const Done = defineEvent('Done', payload<{ id: string }>());
const receptor = defineReceptor({
  command: Do,
  stream: (c) => c.data.id,
  handle: async (c) => {
    if (c.data.how === 'undefined') throw undefined;
    if (c.data.how === 'string') throw 'nope';
    if (c.data.how === 'error') throw new RangeError('mine');
    if (c.data.how === 'never') await new Promise(() => {});
    return Done({ id: c.data.id });
  },
});
const totals = definePerspective({
  name: 'totals',
  events: [Done],
  initial: () => ({ n: 0 }),
  apply: (m) => ({ n: m.n + 1 }),
});

describe('coded errors at the public API', () => {
  const app = () =>
    whizbang('coded').receptor(receptor).perspective(totals).build({ driver: memoryDriver() });

  it('a receptor that throws undefined or a string fails with HANDLER_FAILED, the value as cause', async () => {
    const a = app();
    for (const how of ['undefined', 'string']) {
      const error = await caught(() => a.send(Do({ id: 'a', how })));
      expect(isWhizbangError(error, 'HANDLER_FAILED')).toBe(true);
      expect((error as Error).cause).toBe(how === 'string' ? 'nope' : undefined);
    }
    // an Error of the receptor's own reaches the caller as it is
    expect(await caught(() => a.send(Do({ id: 'a', how: 'error' })))).toBeInstanceOf(RangeError);
  });

  it('a tenant that is not a string, or holds U+0000, is refused with INVALID_ARGUMENT', async () => {
    const a = app();
    for (const tenant of [1, null, 'a\0', 'x\uD800']) {
      const error = await caught(() =>
        a.send(Do({ id: 'a', how: 'ok' }), { tenant: tenant as string }),
      );
      expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
    }
    for (const tenant of [1, 'a\0']) {
      const error = await caught(() => a.lens(totals).get('a', { tenant: tenant as string }));
      expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
    }
    const error = await caught(() => a.lens(totals).get('id-\uD800'));
    expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
  });

  it('a receptor that never answers fails with TIMEOUT after receptorTimeoutMs, appending nothing', async () => {
    const driver = memoryDriver();
    const a = whizbang('coded').receptor(receptor).build({ driver, receptorTimeoutMs: 20 });
    const error = await caught(() => a.send(Do({ id: 'late', how: 'never' })));
    expect(isWhizbangError(error, 'TIMEOUT')).toBe(true);
    expect(driver.ledger.headPosition()).toBe(0);
    await a.send(Do({ id: 'a', how: 'ok' })); // the app goes on
    expect(driver.ledger.headPosition()).toBe(1);
    expect(() => whizbang('x').build({ receptorTimeoutMs: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
