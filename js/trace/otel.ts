/**
 * `whizbang/trace/otel`: the OpenTelemetry observer with the installed `@opentelemetry/api`,
 * imported here statically so that bundlers and JSR see the optional peer where it is used (and
 * `whizbang/trace`, which does not import it, bundles without it). Each hop of each handled message
 * becomes a span in the envelope's W3C trace; a cascade is one tree of spans.
 *
 * @example
 * ```ts
 * import { whizbang } from 'whizbang';
 * import { otelObserver } from 'whizbang/trace/otel';
 *
 * const app = whizbang('bank').receptor(deposit).build({ observers: [otelObserver()] });
 * ```
 * @module
 */
import * as installed from '@opentelemetry/api';
import { type MetricsOptions, type WhizbangMetrics, whizbangMetrics } from './metrics.ts';
import type { OtelMeter } from './metrics-api.ts';
import type { OtelApi } from './otel-api.ts';
import {
  type OtelObserver,
  type OtelObserverOptions,
  otelObserver as observerOf,
} from './otel-observer.ts';

export type { WhizbangMetrics } from './metrics.ts';
export type { OtelObserver } from './otel-observer.ts';

/** Options of {@link otelMetrics}: those of `whizbangMetrics`, `meter` defaulting to the global one. */
export type OtelMetricsOptions = Omit<MetricsOptions, 'meter'> & { readonly meter?: OtelMeter };

/**
 * Creates the Whizbang metrics on the installed `@opentelemetry/api`'s global meter provider (or
 * `options.meter`): pass it to `build({ observers: [m] })`, then `m.watch(app)` for the gauges.
 */
export function otelMetrics(options: OtelMetricsOptions = {}): WhizbangMetrics {
  const meter = options.meter ?? (installed.metrics.getMeter('whizbang') as unknown as OtelMeter);
  return whizbangMetrics({ ...options, meter });
}

/** Options of {@link otelObserver}: those of `whizbang/trace`'s, with `api` defaulting to the installed one. */
export type OtelOptions = Omit<OtelObserverOptions, 'api'> & { readonly api?: OtelApi };

/**
 * Creates an OpenTelemetry observer over the installed `@opentelemetry/api` (or `options.api`) and
 * its global tracer provider (or `options.tracerProvider`). Pass it to `build({ observers: [otel] })`.
 */
export function otelObserver(options: OtelOptions = {}): OtelObserver {
  return observerOf({ ...options, api: options.api ?? (installed as unknown as OtelApi) });
}
