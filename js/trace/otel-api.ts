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
  /** The span's trace id (32 hex digits). */
  traceId: string;
  /** The span's id (16 hex digits). */
  spanId: string;
  /** W3C trace flags (1: sampled). */
  traceFlags: number;
  /** Whether the span was made in another process. */
  isRemote?: boolean;
}

/** The parts of an OpenTelemetry span this bridge uses. */
export interface OtelSpan {
  /** The span's identity. */
  spanContext(): OtelSpanContext;
  /** Records an event in the span. */
  addEvent(name: string, attributes?: OtelAttributes, time?: number): unknown;
  /** Sets the span's status. */
  setStatus(status: { code: number; message?: string }): unknown;
  /** Records an exception in the span. */
  recordException(
    exception: { name: string; message: string; stack?: string },
    time?: number,
  ): void;
  /** Ends the span. */
  end(endTime?: number): void;
}

/** The parts of an OpenTelemetry tracer this bridge uses. */
export interface OtelTracer {
  /** Starts a span in `context`. */
  startSpan(
    name: string,
    options: { startTime: number; attributes: OtelAttributes },
    context?: OtelContext,
  ): OtelSpan;
}

/** What this bridge uses of `@opentelemetry/api`; the module itself (`import * as api`) is one. */
export interface OtelApi {
  /** `api.trace`: the global tracer provider and span contexts. */
  readonly trace: {
    getTracer(name: string, version?: string): OtelTracer;
    setSpan(context: OtelContext, span: OtelSpan): OtelContext;
    setSpanContext(context: OtelContext, spanContext: OtelSpanContext): OtelContext;
  };
  /** `api.ROOT_CONTEXT`. */
  readonly ROOT_CONTEXT: OtelContext;
  /** `api.SpanStatusCode`. */
  readonly SpanStatusCode: { readonly ERROR: number };
}
