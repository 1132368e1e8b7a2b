/**
 * Metrics through the real OpenTelemetry SDK (a meter provider and a reader collected by hand),
 * and `app.health()`: commands by type and outcome with their latency, events appended, the lag of
 * async perspectives, the outbox's depth and age, the leases held; degraded and down reports.
 */
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import {
  type Driver,
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  memoryDriver,
  payload,
  whizbang,
} from '../../js/mod.ts';
import { whizbangMetrics } from '../../js/trace/mod.ts';

class HandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const Add = defineCommand('Add', payload<{ n: number }>());
const Added = defineEvent('Added', payload<{ n: number }>());
const add = defineReceptor({
  command: Add,
  stream: () => 'sum',
  handle: (c) => {
    if (c.data.n < 0) throw new Error('no negative numbers');
    return Added(c.data);
  },
});
const sum = definePerspective({
  name: 'sum',
  mode: 'async',
  events: [Added],
  key: () => 'sum',
  initial: () => ({ total: 0 }),
  apply: (m, e) => ({ total: m.total + e.data.n }),
});

const build = (driver: Driver, observers: [] | [ReturnType<typeof whizbangMetrics>] = []) =>
  whizbang('metrics')
    .receptor(add)
    .perspective(sum)
    .route(Added, { to: 'both' })
    .build({ driver, observers, coordinate: { instance: 'one' } });

describe('metrics and health', () => {
  it('counts commands and events, and reads lags, the outbox and leases', async () => {
    const reader = new HandReader();
    const provider = new MeterProvider({ readers: [reader] });
    const metrics = whizbangMetrics({ meter: provider.getMeter('test') });
    const app = build(memoryDriver(), [metrics]);
    const unwatch = metrics.watch(app);
    try {
      await app.coordination!.beat();
      for (const n of [1, 2, 3]) await app.send(Add({ n }));
      await expect(app.send(Add({ n: -1 }))).rejects.toThrow(/negative/);
      await app.waitForPerspectives();
      const { resourceMetrics } = await reader.collect();
      const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
      const points = (name: string) =>
        all.find((m) => m.descriptor.name === name)?.dataPoints.map((p) => [p.attributes, p.value]);
      expect(points('whizbang.commands')).toEqual(
        expect.arrayContaining([
          [{ 'whizbang.command.type': 'Add', 'whizbang.outcome': 'ok' }, 3],
          [
            {
              'whizbang.command.type': 'Add',
              'whizbang.outcome': expect.not.stringMatching(/^ok$/),
            },
            1,
          ],
        ]),
      );
      expect(points('whizbang.events.appended')).toEqual([[{ 'whizbang.event.type': 'Added' }, 3]]);
      const latency = points('whizbang.command.duration')!;
      expect(latency.map(([, v]) => (v as { count: number }).count).reduce((a, b) => a + b)).toBe(
        4,
      );
      expect(points('whizbang.perspective.lag')).toEqual([
        [{ 'whizbang.app': 'metrics', 'whizbang.perspective': 'sum' }, 0],
      ]);
      expect(points('whizbang.outbox.depth')).toEqual([[{ 'whizbang.app': 'metrics' }, 3]]);
      expect(points('whizbang.leases.held')).toEqual([
        [{ 'whizbang.app': 'metrics', 'whizbang.instance': 'one' }, 1],
      ]);
    } finally {
      unwatch();
      await app.close();
      await provider.shutdown();
    }
  });

  it('answers health as plain JSON: ok, degraded past a threshold, down without a driver', async () => {
    const driver = memoryDriver();
    const app = build({ ...driver, close: () => {} });
    try {
      await app.coordination!.beat();
      await app.send(Add({ n: 5 }));
      await app.waitForPerspectives();
      const ok = await app.health();
      expect(JSON.parse(JSON.stringify(ok))).toEqual(ok);
      expect(ok).toMatchObject({
        status: 'ok',
        driver: { ok: true },
        head: 1,
        perspectives: [{ name: 'sum', checkpoint: 'sum', position: 1, lag: 0, lagMs: 0, ok: true }],
        outbox: { depth: 1, deadLetters: 0, ok: true },
        leases: { instance: 'one', held: ['perspective:sum'] },
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await app.health({ maxOutboxAgeMs: 5 })).toMatchObject({
        status: 'degraded',
        outbox: { depth: 1, ok: false },
      });
    } finally {
      await app.close();
    }
    const broken = whizbang('down').build({
      driver: {
        ...driver,
        ledger: { ...driver.ledger, headPosition: () => Promise.reject(new Error('gone')) },
      },
    });
    expect(await broken.health()).toMatchObject({
      status: 'down',
      driver: { ok: false, error: 'gone' },
    });
    await broken.close();
  });
});
