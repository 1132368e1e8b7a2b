/**
 * An app whose lazily loaded modules fail to load (a chunk the server no longer has, a network
 * gone): the scheduler's and the coordinator's failures reach `onError` as background failures,
 * the app keeps answering commands, and `close()` resolves.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BackgroundFailure } from '../../js/mod.ts';

afterEach(() => {
  vi.doUnmock('../../js/runtime/scheduling.ts');
  vi.doUnmock('../../js/runtime/coordinator.ts');
  vi.resetModules();
});

/** The library, fresh, with `module` failing to load. */
async function failing(module: 'scheduling' | 'coordinator') {
  vi.resetModules();
  vi.doMock(`../../js/runtime/${module}.ts`, () => {
    throw new Error(`${module} chunk offline`);
  });
  return import('../../js/mod.ts');
}

/** Waits until `failures` has one entry. */
async function firstFailure(failures: BackgroundFailure[]): Promise<BackgroundFailure> {
  for (let i = 0; i < 200 && failures.length === 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 5));
  return failures[0]!;
}

describe('a lazily loaded module that fails to load', () => {
  for (const coordinate of [false, true])
    it(`reports the scheduler's module as a background failure${coordinate ? ' (coordinated)' : ''}`, async () => {
      const { whizbang, memoryDriver, defineCommand, defineEvent, defineReceptor, payload } =
        await failing('scheduling');
      const Add = defineCommand('Add', payload<{ n: number }>());
      const Added = defineEvent('Added', payload<{ n: number }>());
      const failures: BackgroundFailure[] = [];
      const app = whizbang('lazy-fail')
        .receptor(
          defineReceptor({ command: Add, stream: () => 'sum', handle: (c) => Added(c.data) }),
        )
        .build({
          driver: memoryDriver(),
          schedules: true,
          onError: (f) => failures.push(f),
          ...(coordinate ? { coordinate: { instance: 'lazy-fail-a' } } : {}),
        });
      try {
        if (coordinate) await app.coordination!.beat();
        const failure = await firstFailure(failures);
        expect(failure).toMatchObject({ source: 'scheduler', name: 'whizbang-schedules' });
        expect(failure.outcome).toBe('stopped');
        expect((failure.error as Error).cause).toMatchObject({
          message: 'scheduling chunk offline',
        });
        await app.send(Add({ n: 1 }));
        expect(await app.ledger.readStream('sum')).toHaveLength(1);
      } finally {
        await app.close();
      }
      expect(failures).toHaveLength(1);
    });

  it("reports the coordinator's module as a background failure", async () => {
    const { whizbang, memoryDriver, defineEvent, definePerspective, payload } =
      await failing('coordinator');
    const Added = defineEvent('Added', payload<{ n: number }>());
    const failures: BackgroundFailure[] = [];
    const app = whizbang('lazy-fail')
      .perspective(
        definePerspective({
          name: 'sum',
          mode: 'async',
          events: [Added],
          key: () => 'sum',
          initial: () => ({ total: 0 }),
          apply: (m: { total: number }, e) => ({ total: m.total + e.data.n }),
        }),
      )
      .build({
        driver: memoryDriver(),
        coordinate: { instance: 'lazy-fail-b' },
        onError: (f) => failures.push(f),
      });
    try {
      const failure = await firstFailure(failures);
      expect(failure).toMatchObject({ source: 'coordinator', name: 'lazy-fail-b' });
      expect(failure.outcome).toBe('stopped');
      expect((failure.error as Error).cause).toMatchObject({
        message: 'coordinator chunk offline',
      });
      await expect(app.coordination!.beat()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect(app.coordination!.held).toEqual([]);
    } finally {
      await app.close();
    }
    expect(failures).toHaveLength(1);
  });
});
