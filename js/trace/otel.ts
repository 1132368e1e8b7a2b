/**
 * OpenTelemetry, optionally: an observer that turns each hop of each handled message into a span
 * (name: the hop's `where`; from `at` for `durationMs`), in the envelope's W3C trace. A message's
 * first span is a child of the last span of the message that caused it (for a command sent by an
 * event handler: of the command that appended that event), so a cascade is one tree of spans. The
 * first message's span hangs under its hop's W3C traceparent as a remote parent, which puts the
 * tree in the envelope's trace id (the one other processes continue from).
 *
 * `@opentelemetry/api` is an optional peer dependency: nothing is loaded when this module is
 * imported. Pass your own `api`, or it is loaded with a dynamic `import()` on first use; when it
 * cannot be loaded the observer does nothing, and says so with `enabled === false` (no warning).
 *
 * @example
 * ```ts
 * import * as api from '@opentelemetry/api';
 * const otel = otelObserver({ api });
 * const app = whizbang('bank').receptor(deposit).build({ observers: [otel] });
 * ```
 * @module
 */

import type { RecordedEvent } from '../contracts/ledger.ts';
import type { Dispatched, Observer } from '../contracts/observer.ts';
import type { Envelope } from '../messages/envelope.ts';
import { invalidArgument } from '../util/errors.ts';
import { parseTraceparent } from '../util/ids.ts';
import { now, platform, type Timer, unref } from '../util/platform.ts';
import type { OtelApi, OtelAttributes, OtelContext, OtelTracer } from './otel-api.ts';
import { hopDuration, toTracedError } from './record.ts';

/** Options of {@link otelObserver}. */
export interface OtelObserverOptions {
  /** `@opentelemetry/api` (default: loaded with `import()` on first use). */
  readonly api?: OtelApi;
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
}

/** `idle` until first used, `loading` the API, then `enabled` or `disabled` (the API is missing). */
export type OtelStatus = 'idle' | 'loading' | 'enabled' | 'disabled';

/** An observer that makes OpenTelemetry spans. */
export interface OtelObserver extends Observer {
  onDispatched(dispatched: Dispatched): void;
  readonly status: OtelStatus;
  /** Whether spans are being made: `false` until the API is loaded, and for good when it is missing. */
  readonly enabled: boolean;
  /** Loads the API if need be; resolves with {@link OtelObserver.enabled}. */
  ready(): Promise<boolean>;
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
const API = '@opentelemetry/api';

/**
 * Creates an OpenTelemetry observer. Pass it to `build({ observers: [otel] })`.
 * @example
 * const otel = otelObserver();
 * if (!(await otel.ready())) console.info('tracing off: @opentelemetry/api is not installed');
 */
export function otelObserver(options: OtelObserverOptions = {}): OtelObserver {
  const tracerName = options.tracerName ?? 'whizbang';
  const flushAfterMs = options.flushAfterMs ?? 5000;
  if (!(flushAfterMs >= 0 && Number.isFinite(flushAfterMs)))
    throw invalidArgument(`otelObserver: flushAfterMs must be a number ≥ 0, got ${flushAfterMs}.`);
  let api: OtelApi | undefined;
  let tracer: OtelTracer | undefined;
  let status: OtelStatus = 'idle';
  let loading: Promise<boolean> | undefined;
  /** What was handled while the API was loading. */
  let queue: Pending[] = [];
  /** Messages waiting for their cause, by the cause's id. */
  const waiting = new Map<string, Pending[]>();
  let waitingCount = 0;
  let timer: Timer | undefined;

  const use = (loaded: OtelApi): void => {
    api = loaded;
    tracer = (options.tracerProvider ?? loaded.trace).getTracer(tracerName);
    status = 'enabled';
  };
  if (options.api !== undefined) use(options.api);

  const load = (): Promise<boolean> => {
    if (loading !== undefined) return loading;
    if (status === 'enabled') {
      loading = Promise.resolve(true);
      return loading;
    }
    status = 'loading';
    const specifier = API; // not a literal: bundlers must not try to resolve an optional peer
    loading = import(/* @vite-ignore */ /* webpackIgnore: true */ specifier).then(
      (module: Partial<OtelApi> & { default?: OtelApi }) => {
        use(module.trace === undefined ? module.default! : (module as OtelApi));
        const queued = queue;
        queue = [];
        for (const p of queued) accept(p);
        return true;
      },
      () => {
        status = 'disabled';
        queue = [];
        return false;
      },
    );
    return loading;
  };

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
    const api_ = api!;
    const parsed = p.hops[0] === undefined ? undefined : parseTraceparent(p.hops[0].traceparent);
    if (parsed === undefined) return api_.ROOT_CONTEXT;
    return api_.trace.setSpanContext(api_.ROOT_CONTEXT, {
      traceId: p.envelope.traceId,
      spanId: parsed.parentId,
      traceFlags: Number.parseInt(parsed.flags, 16),
      isRemote: true,
    });
  };

  const emit = (p: Pending, parent: OtelContext | undefined): void => {
    const api_ = api!;
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
      const span = tracer!.startSpan(hop.where, { startTime: hop.at, attributes }, context);
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
          const error = toTracedError(p.error);
          const stack = p.error instanceof Error ? p.error.stack : undefined;
          span.recordException(
            stack === undefined
              ? { name: error.name, message: error.message }
              : { name: error.name, message: error.message, stack },
            end,
          );
          span.setStatus({ code: api_.SpanStatusCode.ERROR, message: error.message });
        }
      }
      span.end(end);
      context = api_.trace.setSpan(context, span);
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
      if (status === 'enabled') accept(snapshot(dispatched));
      else if (status !== 'disabled') {
        if (queue.length < MAX_WAITING) queue.push(snapshot(dispatched));
        void load();
      }
    },
    get status(): OtelStatus {
      return status;
    },
    get enabled(): boolean {
      return status === 'enabled';
    },
    ready: load,
    flush,
  };
}
