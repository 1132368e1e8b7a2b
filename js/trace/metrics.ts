/**
 * OpenTelemetry metrics of an app: an observer that counts handled commands by type and outcome
 * with a latency histogram, and appended events by type; and `watch(app)`, which adds gauges read
 * at each collection from `app.health()`: each async perspective's lag (positions and ms), the
 * outbox's depth and age, and the leases this instance holds.
 */
import type { Dispatched, Observer } from '../contracts/observer.ts';
import type { HealthOptions, HealthReport } from '../runtime/health.ts';
import type { Whizbang } from '../runtime/types.ts';
import { isWhizbangError } from '../util/errors.ts';
import type { ObservableResult, OtelMeter } from './metrics-api.ts';

/** Options of {@link whizbangMetrics}. */
export interface MetricsOptions {
  /** The meter the instruments are made on (`metrics.getMeter('whizbang')`). */
  readonly meter: OtelMeter;
  /** Thresholds of the `app.health()` the gauges read. */
  readonly health?: HealthOptions;
}

/** The metrics: an observer to pass to `build`, and gauges for a built app. */
export interface WhizbangMetrics extends Observer {
  /** Adds the gauges of `app` (lags, outbox, leases); returns what removes them. */
  watch(app: Whizbang<any, any>): () => void;
}

/** How long one health report serves every gauge of one collection, ms. */
const REUSE_MS = 250;

function outcomeOf(error: unknown): string {
  if (error === undefined) return 'ok';
  return isWhizbangError(error) ? error.code : 'error';
}

/** Creates the metrics on `options.meter`. */
export function whizbangMetrics(options: MetricsOptions): WhizbangMetrics {
  const { meter } = options;
  const commands = meter.createCounter('whizbang.commands', {
    description: 'Commands handled, by type and outcome',
  });
  const duration = meter.createHistogram('whizbang.command.duration', {
    description: 'How long a command took, from its first hop to the end of its last',
    unit: 'ms',
  });
  const appended = meter.createCounter('whizbang.events.appended', {
    description: 'Events appended, by type',
  });
  const gauges = {
    lag: meter.createObservableGauge('whizbang.perspective.lag', {
      description: 'Positions an async perspective is behind the log',
    }),
    lagMs: meter.createObservableGauge('whizbang.perspective.lag_ms', {
      description: 'How long the oldest event an async perspective has not applied has waited',
      unit: 'ms',
    }),
    depth: meter.createObservableGauge('whizbang.outbox.depth', {
      description: 'Records waiting in the outbox',
    }),
    age: meter.createObservableGauge('whizbang.outbox.age_ms', {
      description: 'How long the oldest outbox record has waited',
      unit: 'ms',
    }),
    leases: meter.createObservableGauge('whizbang.leases.held', {
      description: 'Pieces of background work this instance holds the lease of',
    }),
  };
  return {
    onDispatched({ envelope, events, error }: Dispatched): void {
      for (const e of events) appended.add(1, { 'whizbang.event.type': e.type });
      if (envelope.message.kind !== 'command') return;
      const attributes = {
        'whizbang.command.type': envelope.message.type,
        'whizbang.outcome': outcomeOf(error),
      };
      commands.add(1, attributes);
      const hops = envelope.hops;
      if (hops.length === 0) return;
      let start = Number.POSITIVE_INFINITY;
      let end = 0;
      for (const hop of hops) {
        start = Math.min(start, hop.at);
        end = Math.max(end, hop.at + hop.durationMs);
      }
      duration.record(Math.max(end - start, 0), attributes);
    },
    watch(app: Whizbang<any, any>): () => void {
      let last: { at: number; report: Promise<HealthReport> } | undefined;
      const report = (): Promise<HealthReport> => {
        if (last === undefined || Date.now() - last.at > REUSE_MS)
          last = { at: Date.now(), report: app.health(options.health) };
        return last.report;
      };
      const app_ = { 'whizbang.app': app.name };
      const callbacks: [keyof typeof gauges, (r: ObservableResult) => Promise<void>][] = [
        [
          'lag',
          async (r) => {
            for (const p of (await report()).perspectives)
              r.observe(p.lag, { ...app_, 'whizbang.perspective': p.checkpoint });
          },
        ],
        [
          'lagMs',
          async (r) => {
            for (const p of (await report()).perspectives)
              r.observe(p.lagMs, { ...app_, 'whizbang.perspective': p.checkpoint });
          },
        ],
        [
          'depth',
          async (r) => {
            const outbox = (await report()).outbox;
            if (outbox !== undefined) r.observe(outbox.depth, app_);
          },
        ],
        [
          'age',
          async (r) => {
            const outbox = (await report()).outbox;
            if (outbox !== undefined) r.observe(outbox.oldestMs, app_);
          },
        ],
        [
          'leases',
          async (r) => {
            const leases = (await report()).leases;
            if (leases !== undefined)
              r.observe(leases.held.length, { ...app_, 'whizbang.instance': leases.instance });
          },
        ],
      ];
      for (const [gauge, callback] of callbacks) gauges[gauge].addCallback(callback);
      return () => {
        for (const [gauge, callback] of callbacks) gauges[gauge].removeCallback(callback);
      };
    },
  };
}
