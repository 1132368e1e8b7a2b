/**
 * Models are values: a lens result is frozen and cannot change the stored model (nor can a later
 * apply that mutates it), `apply` returning `undefined` means the same on every driver (a
 * HANDLER_FAILED refusal, nothing written), and a refused append keeps nothing.
 */
import { describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { caught } from '../../js/conformance/helpers.ts';
import {
  type Driver,
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  isWhizbangError,
  memoryDriver,
  payload,
  whizbang,
} from '../../js/mod.ts';
import { asyncDriver } from '../support/async-driver.ts';

const Add = defineCommand('Add', payload<{ id: string; n: number }>());
const Added = defineEvent('Added', payload<{ id: string; n: number }>());
const add = defineReceptor({
  command: Add,
  stream: (c) => c.data.id,
  handle: (c) => Added(c.data),
});

const drivers: Array<[string, () => Driver]> = [
  ['memory', () => memoryDriver()],
  ['async memory', () => asyncDriver(memoryDriver())],
  ['sqlite', () => sqliteDriver({ path: ':memory:' })],
];

describe.each(drivers)('models on %s', (_, make) => {
  it('a model a lens has handed out is frozen: an apply that mutates it then fails, changing nothing', async () => {
    const totals = definePerspective({
      name: 'totals',
      events: [Added],
      initial: () => ({ sum: 0, seen: [] as number[] }),
      apply: (m, e) => {
        if (e.data.n < 0) {
          (m as { sum: number }).sum = -1_000; // a mutation, then a throw
          throw new Error('negative');
        }
        return { sum: m.sum + e.data.n, seen: [...m.seen, e.data.n] };
      },
    });
    const driver = make();
    const app = whizbang('models').receptor(add).perspective(totals).build({ driver });
    try {
      await app.send(Add({ id: 'a', n: 2 }));
      expect(await app.lens(totals).get('a')).toEqual({ sum: 2, seen: [2] });
      const error = await caught(() => app.send(Add({ id: 'a', n: -1 })));
      expect(isWhizbangError(error, 'HANDLER_FAILED')).toBe(true);
      expect(await app.lens(totals).get('a')).toEqual({ sum: 2, seen: [2] });
      expect(await driver.ledger.streamVersion('a')).toBe(1);
    } finally {
      await app.close();
      await driver.close?.();
    }
  });

  it('a lens result is frozen: an edit of it cannot change the stored model', async () => {
    const totals = definePerspective({
      name: 'totals',
      events: [Added],
      initial: () => ({ sum: 0, seen: [] as number[] }),
      apply: (m, e) => ({ sum: m.sum + e.data.n, seen: [...m.seen, e.data.n] }),
    });
    const driver = make();
    const app = whizbang('models').receptor(add).perspective(totals).build({ driver });
    try {
      await app.send(Add({ id: 'a', n: 2 }));
      const got = await app.lens(totals).get('a');
      expect(Object.isFrozen(got)).toBe(true);
      expect(() => {
        (got as { sum: number }).sum = 99;
      }).toThrow(TypeError);
      expect(() => got?.seen.push(5)).toThrow(TypeError);
      const [listed] = await app.lens(totals).query();
      expect(Object.isFrozen(listed?.seen)).toBe(true);
      expect(await app.lens(totals).get('a')).toEqual({ sum: 2, seen: [2] });
    } finally {
      await app.close();
      await driver.close?.();
    }
  });

  it('apply returning undefined is refused with HANDLER_FAILED, and nothing is written', async () => {
    const broken = definePerspective({
      name: 'broken',
      events: [Added],
      initial: () => ({ sum: 0 }),
      apply: (m, e) => (e.data.n > 0 ? { sum: m.sum + e.data.n } : (undefined as never)),
    });
    const driver = make();
    const app = whizbang('models').receptor(add).perspective(broken).build({ driver });
    try {
      await app.send(Add({ id: 'a', n: 1 }));
      const error = await caught(() => app.send(Add({ id: 'a', n: 0 })));
      expect(isWhizbangError(error, 'HANDLER_FAILED')).toBe(true);
      expect((error as Error).message).toMatch(/apply returned undefined/);
      expect(await driver.ledger.streamVersion('a')).toBe(1);
      expect(await app.lens(broken).get('a')).toEqual({ sum: 1 });
    } finally {
      await app.close();
      await driver.close?.();
    }
  });

  it('a refused append keeps nothing: an ok event beside one over a limit', async () => {
    const driver = make();
    try {
      const error = await caught(async () =>
        driver.ledger.append('s', [
          { type: 'Ok', data: {} },
          { type: 'x'.repeat(70_000), data: {} },
        ]),
      );
      expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect(await driver.ledger.streamVersion('s')).toBe(0);
      expect(await driver.ledger.headPosition()).toBe(0);
    } finally {
      await driver.close?.();
    }
  });
});
