/**
 * The parts of `@opentelemetry/api` the OpenTelemetry bridge uses, as structural types: the real
 * module (`import * as api from '@opentelemetry/api'`) satisfies them, and nothing here needs it
 * installed, not even its types.
 */

/** Span attribute values this bridge sets. */
export type OtelAttributes = Record<string, string | number | boolean>;

/** A context of `@opentelemetry/api` (opaque here). */
export type OtelContext = object;

/** The identity of a span. */
export interface OtelSpanContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
  isRemote?: boolean;
}

/** The parts of an OpenTelemetry span this bridge uses. */
export interface OtelSpan {
  spanContext(): OtelSpanContext;
  addEvent(name: string, attributes?: OtelAttributes, time?: number): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(
    exception: { name: string; message: string; stack?: string },
    time?: number,
  ): void;
  end(endTime?: number): void;
}

/** The parts of an OpenTelemetry tracer this bridge uses. */
export interface OtelTracer {
  startSpan(
    name: string,
    options: { startTime: number; attributes: OtelAttributes },
    context?: OtelContext,
  ): OtelSpan;
}

/** What this bridge uses of `@opentelemetry/api`; the module itself (`import * as api`) is one. */
export interface OtelApi {
  readonly trace: {
    getTracer(name: string, version?: string): OtelTracer;
    setSpan(context: OtelContext, span: OtelSpan): OtelContext;
    setSpanContext(context: OtelContext, spanContext: OtelSpanContext): OtelContext;
  };
  readonly ROOT_CONTEXT: OtelContext;
  readonly SpanStatusCode: { readonly ERROR: number };
}
