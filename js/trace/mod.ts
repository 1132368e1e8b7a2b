/**
 * Tracing: observers that see every handled message — a trace store that answers "what happened
 * because of this command" as a tree (text, Mermaid, JSON), and a bridge to OpenTelemetry (here
 * over an `api` you pass; `whizbang/trace/otel` brings the installed `@opentelemetry/api`).
 *
 * @example
 * ```ts
 * import { whizbang } from 'whizbang';
 * import { toText, traceStore } from 'whizbang/trace';
 *
 * const traces = traceStore();
 * const app = whizbang('bank').receptor(deposit).build({ observers: [traces] });
 * const receipt = await app.send(Deposit({ accountId: 'a-1', amount: 5 }));
 * console.log(toText(traces.chain(receipt.correlationId)!));
 * ```
 * @module
 */

export { causalTree } from './causal-tree.ts';
export type { TraceFormatOptions, TraceGraph, TraceGraphNode } from './export.ts';
export { toJSON as toTraceJSON, toMermaid, toText } from './export.ts';
export type { MetricsOptions, WhizbangMetrics } from './metrics.ts';
export { whizbangMetrics } from './metrics.ts';
export type { MetricAttributes, ObservableResult, OtelMeter } from './metrics-api.ts';
export type {
  OtelApi,
  OtelAttributes,
  OtelContext,
  OtelSpan,
  OtelSpanContext,
  OtelTracer,
} from './otel-api.ts';
export type { OtelObserver, OtelObserverOptions } from './otel-observer.ts';
export { otelObserver } from './otel-observer.ts';
export type { Redaction } from './record.ts';
export type { TraceStore, TraceStoreOptions } from './store.ts';
export { traceStore } from './store.ts';
export type {
  TracedDecision,
  TracedEnvelope,
  TracedError,
  TracedEvent,
  TracedHop,
  TraceNode,
  TraceTree,
} from './types.ts';
