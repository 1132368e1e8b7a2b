/**
 * The coordinator's stand-in (js/runtime/lazy-coordinator.ts) with a loader handed in: work added
 * while the module loads starts once it has loaded, `stop()` waits for a load in flight, and a
 * module that fails to load is reported as a background failure, never thrown at the app.
 */
import { describe, expect, it } from 'vitest';
import type { BackgroundFailure } from '../../js/mod.ts';
import { memoryLeases } from '../../js/mod.ts';
import { coordinateSettings } from '../../js/runtime/coordinate.ts';
import { Coordinator } from '../../js/runtime/coordinator.ts';
import { LazyCoordinator, type LoadCoordinator } from '../../js/runtime/lazy-coordinator.ts';

/** A loader the test settles by hand. */
function deferredLoad(): { load: LoadCoordinator; settle: (error?: Error) => void } {
  let settle!: (error?: Error) => void;
  const loading = new Promise<{ Coordinator: typeof Coordinator }>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve({ Coordinator }) : reject(error));
  });
  return { load: () => loading, settle };
}

/** A piece of work that logs its starts and stops. */
const work = (name: string, log: string[]) => ({
  name,
  start: () => {
    log.push(`start ${name}`);
  },
  stop: () => {
    log.push(`stop ${name}`);
  },
});

const settings = coordinateSettings({ instance: 'lazy-a', ttlMs: 60_000 });

describe('the coordinator loaded when used', () => {
  it('starts the work added while its module loads, and not the work removed meanwhile', async () => {
    const { load, settle } = deferredLoad();
    const failures: BackgroundFailure[] = [];
    const leases = memoryLeases();
    const lazy = new LazyCoordinator(leases, settings, (f) => failures.push(f), load);
    const log: string[] = [];
    lazy.add(work('one', log));
    lazy.add(work('two', log));
    await lazy.remove('two');
    expect(lazy.instance).toBe('lazy-a');
    expect(lazy.held).toEqual([]);
    const beating = lazy.beat();
    settle();
    await beating;
    expect(lazy.held).toEqual(['one']);
    expect(log).toEqual(['start one']);
    await lazy.stop();
    expect(log).toEqual(['start one', 'stop one']);
    expect(await leases.list('one')).toEqual([]);
    expect(failures).toEqual([]);
  });

  it('stop() waits for a load in flight, and nothing starts after it', async () => {
    const { load, settle } = deferredLoad();
    const lazy = new LazyCoordinator(memoryLeases(), settings, () => {}, load);
    const log: string[] = [];
    lazy.add(work('one', log));
    let stopped = false;
    const stopping = lazy.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(stopped).toBe(false);
    settle();
    await stopping;
    await lazy.beat();
    expect(log).toEqual([]);
    expect(lazy.held).toEqual([]);
  });

  it('reports a module that fails to load, refuses beat() and still stops', async () => {
    const { load, settle } = deferredLoad();
    const failures: BackgroundFailure[] = [];
    const lazy = new LazyCoordinator(memoryLeases(), settings, (f) => failures.push(f), load);
    const log: string[] = [];
    lazy.add(work('one', log));
    const offline = new Error('chunk offline');
    settle(offline);
    await expect(lazy.beat()).rejects.toMatchObject({ code: 'UNAVAILABLE', cause: offline });
    expect(failures).toEqual([
      { source: 'coordinator', name: 'lazy-a', error: offline, outcome: 'stopped' },
    ]);
    await lazy.stop();
    expect(log).toEqual([]);
    expect(failures).toHaveLength(1);
  });
});
