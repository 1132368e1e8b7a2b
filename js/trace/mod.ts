/**
 * Traceability: a trace store that records every handled message and answers "what happened
 * because of this?", exporters to Mermaid, JSON and text, and an optional OpenTelemetry bridge.
 *
 * @example
 * ```ts
 * import { toText, traceStore, whizbang } from 'whizbang';
 *
 * const trace = traceStore();
 * const app = whizbang('bank').receptor(deposit).build({ observers: [trace] });
 * const receipt = await app.send(Deposit({ accountId: 'a', amount: 5 }));
 * console.log(toText(trace.chain(receipt.correlationId)!));
 * ```
 * @module
 */

export type { TraceFormatOptions, TraceGraph, TraceGraphNode } from './export.ts';
export { toJSON, toMermaid, toText } from './export.ts';
export type { OtelObserver, OtelObserverOptions, OtelStatus } from './otel.ts';
export { otelObserver } from './otel.ts';
export type {
  OtelApi,
  OtelAttributes,
  OtelContext,
  OtelSpan,
  OtelSpanContext,
  OtelTracer,
} from './otel-api.ts';
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
