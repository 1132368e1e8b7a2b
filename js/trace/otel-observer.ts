/**
 * OpenTelemetry, optionally: an observer that turns each hop of each handled message into a span
 * (name: the hop's `where`; from `at` for `durationMs`), in the envelope's W3C trace. A message's
 * first span is a child of the last span of the message that caused it (for a command sent by an
 * event handler: of the command that appended that event), so a cascade is one tree of spans. The
 * first message's span hangs under its hop's W3C traceparent as a remote parent, which puts the
 * tree in the envelope's trace id (the one other processes continue from).
 *
 * `@opentelemetry/api` is an optional peer dependency: nothing of it is imported here, so
 * `whizbang/trace` bundles without it. This observer takes the API as `api`; `whizbang/trace/otel`
 * (otel.ts) imports the installed one statically and passes it, so bundlers and JSR see the peer
 * where it is used.
 */

import type { RecordedEvent } from '../contracts/ledger.ts';
import type { Dispatched, Observer } from '../contracts/observer.ts';
import type { Envelope } from '../messages/envelope.ts';
import { scrubText } from '../messages/scrub.ts';
import { invalidArgument } from '../util/errors.ts';
import { parseTraceparent } from '../util/ids.ts';
import { now, platform, type Timer, unref } from '../util/platform.ts';
import type { OtelApi, OtelAttributes, OtelContext, OtelTracer } from './otel-api.ts';
import { hopDuration, toTracedError } from './record.ts';

/** Options of {@link otelObserver}. */
export interface OtelObserverOptions {
  /** `@opentelemetry/api`: `import * as api from '@opentelemetry/api'` (or one of your own). */
  readonly api: OtelApi;
  /** A tracer provider (default: the global one, `api.trace`). */
  readonly tracerProvider?: { getTracer(name: string, version?: string): OtelTracer };
  /** Default `whizbang`. */
  readonly tracerName?: string;
  /**
   * How long a message whose cause has not been seen waits for it before its spans are made
   * without that parent (default 5000 ms). Causes are seen after their effects (an observer hears
   * of a command once its cascade is done), so effects wait; {@link OtelObserver.flush} ends the wait.
   */
  readonly flushAfterMs?: number;
  /**
   * Error texts (exception message, stack, span status) show the clear values of the failed
   * message's protected fields as `'[redacted]'` unless this is `false`. Spans carry no message
   * data either way.
   */
  readonly redact?: false;
}

/** An observer that makes OpenTelemetry spans. */
export interface OtelObserver extends Observer {
  /** Makes the spans of a handled message (or keeps them until its cause is seen). */
  onDispatched(dispatched: Dispatched): void;
  /** Makes the spans of every message still waiting for its cause, now, without that parent. */
  flush(): void;
}

/** A hop as it was when its message was dispatched (durations of failed steps measured then). */
interface HopSnapshot {
  readonly where: string;
  readonly streamId: string | undefined;
  readonly at: number;
  readonly durationMs: number;
  readonly decisions: ReadonlyArray<{ policy: string; decision: string; detail?: string }>;
  readonly traceparent: string;
}

/** A dispatched message and the messages it caused, seen before it. */
interface Pending {
  readonly envelope: Envelope;
  readonly events: readonly RecordedEvent[];
  readonly error: unknown;
  readonly failed: boolean;
  readonly hops: readonly HopSnapshot[];
  readonly children: Pending[];
  readonly since: number;
}

const MAX_WAITING = 10_000;

/**
 * Creates an OpenTelemetry observer over the `api` given. Pass it to `build({ observers: [otel] })`.
 *
 * @example
 * ```ts
 * import * as api from '@opentelemetry/api';
 * import { otelObserver } from 'whizbang/trace';
 *
 * const otel = otelObserver({ api });
 * const app = whizbang('bank').receptor(deposit).build({ observers: [otel] });
 * ```
 */
export function otelObserver(options: OtelObserverOptions): OtelObserver {
  if (typeof options?.api?.trace?.getTracer !== 'function') {
    throw invalidArgument(
      "otelObserver from whizbang/trace needs { api }: pass import * as api from '@opentelemetry/api', or import otelObserver from 'whizbang/trace/otel', which brings the installed one.",
    );
  }
  const api: OtelApi = options.api;
  const tracer: OtelTracer = (options.tracerProvider ?? api.trace).getTracer(
    options.tracerName ?? 'whizbang',
  );
  const flushAfterMs = options.flushAfterMs ?? 5000;
  if (!(flushAfterMs >= 0 && Number.isFinite(flushAfterMs)))
    throw invalidArgument(`otelObserver: flushAfterMs must be a number ≥ 0, got ${flushAfterMs}.`);
  /** Messages waiting for their cause, by the cause's id. */
  const waiting = new Map<string, Pending[]>();
  let waitingCount = 0;
  let timer: Timer | undefined;

  const snapshot = (dispatched: Dispatched): Pending => {
    const reading = now();
    const failed = 'error' in dispatched;
    return {
      envelope: dispatched.envelope,
      events: dispatched.events,
      error: dispatched.error,
      failed,
      hops: dispatched.envelope.hops.map((h) => ({
        where: h.where,
        streamId: h.streamId,
        at: h.at,
        durationMs: hopDuration(h, reading),
        decisions: h.decisions.slice(),
        traceparent: h.traceparent,
      })),
      children: [],
      since: Date.now(),
    };
  };

  const take = (causeId: string): Pending[] | undefined => {
    const list = waiting.get(causeId);
    if (list === undefined) return undefined;
    waiting.delete(causeId);
    waitingCount -= list.length;
    return list;
  };

  /** A root's parent: the remote span of its first hop's traceparent, in the envelope's trace. */
  const rootContext = (p: Pending): OtelContext => {
    const parsed = p.hops[0] === undefined ? undefined : parseTraceparent(p.hops[0].traceparent);
    if (parsed === undefined) return api.ROOT_CONTEXT;
    return api.trace.setSpanContext(api.ROOT_CONTEXT, {
      traceId: p.envelope.traceId,
      spanId: parsed.parentId,
      traceFlags: Number.parseInt(parsed.flags, 16),
      isRemote: true,
    });
  };

  const emit = (p: Pending, parent: OtelContext | undefined): void => {
    const env = p.envelope;
    let context = parent ?? rootContext(p);
    const stream = env.streamId ?? p.events[0]?.streamId;
    const base: OtelAttributes = {
      'whizbang.message.type': env.message.type,
      'whizbang.message.kind': env.message.kind,
      'whizbang.message.id': env.messageId,
      'whizbang.correlation_id': env.correlationId,
      'whizbang.causation_id': env.causationId,
      'whizbang.tenant': env.tenant,
    };
    p.hops.forEach((hop, i) => {
      const attributes: OtelAttributes = { ...base, 'whizbang.traceparent': hop.traceparent };
      const streamId = hop.streamId ?? stream;
      if (streamId !== undefined) attributes['whizbang.stream'] = streamId;
      const span = tracer.startSpan(hop.where, { startTime: hop.at, attributes }, context);
      const end = hop.at + hop.durationMs;
      for (const d of hop.decisions) {
        const about: OtelAttributes = {
          'whizbang.policy': d.policy,
          'whizbang.decision': d.decision,
        };
        if (d.detail !== undefined) about['whizbang.detail'] = d.detail;
        span.addEvent(`${d.policy}: ${d.decision}`, about, hop.at);
      }
      if (i === p.hops.length - 1) {
        for (const e of p.events) {
          span.addEvent(
            'whizbang.event',
            {
              'whizbang.event.type': e.type,
              'whizbang.event.id': e.messageId,
              'whizbang.stream': e.streamId,
              'whizbang.stream.version': e.version,
              'whizbang.position': e.position,
            },
            end,
          );
        }
        if (p.failed) {
          const about = options.redact === false ? undefined : env.message;
          const error = toTracedError(p.error, about);
          const stack =
            p.error instanceof Error && p.error.stack !== undefined
              ? scrubText(p.error.stack, about)
              : undefined;
          span.recordException(
            stack === undefined
              ? { name: error.name, message: error.message }
              : { name: error.name, message: error.message, stack },
            end,
          );
          span.setStatus({ code: api.SpanStatusCode.ERROR, message: error.message });
        }
      }
      span.end(end);
      context = api.trace.setSpan(context, span);
    });
    for (const child of p.children) emit(child, p.hops.length === 0 ? parent : context);
  };

  const sweep = (): void => {
    timer = undefined;
    const cutoff = Date.now() - flushAfterMs;
    for (const [cause, list] of waiting) {
      const keep = list.filter((p) => p.since > cutoff);
      if (keep.length === list.length) continue;
      if (keep.length === 0) waiting.delete(cause);
      else waiting.set(cause, keep);
      waitingCount -= list.length - keep.length;
      for (const p of list) if (p.since <= cutoff) emit(p, undefined);
    }
    schedule();
  };

  const schedule = (): void => {
    if (timer !== undefined || waitingCount === 0) return;
    timer = platform.setTimeout(sweep, flushAfterMs);
    unref(timer); // waiting spans must not keep a process alive
  };

  const flush = (): void => {
    if (timer !== undefined) platform.clearTimeout(timer);
    timer = undefined;
    const all = [...waiting.values()].flat();
    waiting.clear();
    waitingCount = 0;
    for (const p of all) emit(p, undefined);
  };

  const accept = (p: Pending): void => {
    const env = p.envelope;
    // What this message caused arrived before it: its own commands, and its events' reactions.
    const own = take(env.messageId);
    if (own !== undefined) p.children.push(...own);
    for (const e of p.events) {
      if (e.messageId === env.messageId) continue;
      const reactions = take(e.messageId);
      if (reactions !== undefined) p.children.push(...reactions);
    }
    if (env.causationId === env.messageId) {
      emit(p, undefined);
      return;
    }
    const list = waiting.get(env.causationId);
    if (list === undefined) waiting.set(env.causationId, [p]);
    else list.push(p);
    waitingCount++;
    if (waitingCount > MAX_WAITING) flush();
    else schedule();
  };

  return {
    onDispatched(dispatched: Dispatched): void {
      accept(snapshot(dispatched));
    },
    flush,
  };
}
