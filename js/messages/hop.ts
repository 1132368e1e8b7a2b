/**
 * Hops: the steps on a message's path. A hop's span id (and so its traceparent) is made only when
 * first read; an untimed hop reads no clock until it is first seen.
 */
import { spanId } from '../util/ids.ts';
import { now, platform } from '../util/platform.ts';

/** A decision a policy or the router took for a message on one hop. */
export interface PolicyDecision {
  /** The policy's name. */
  readonly policy: string;
  /** What it decided (`retry`, `timeout`, `cache-hit`, …). */
  readonly decision: string;
  /** More about it, for a person. */
  readonly detail?: string;
}

/** One step on a message's path. */
export interface Hop {
  /** What handled it: `dispatcher`, `receptor:Deposit`, `ledger`, `perspective:balances`, … */
  readonly where: string;
  /** The service (app name) that took this step. */
  readonly service: string;
  /** The topic or message type. */
  readonly topic: string;
  /** The stream the step touched, if any. */
  readonly streamId?: string;
  /** When the step started, epoch milliseconds. */
  readonly at: number;
  /** How long it took, milliseconds. */
  durationMs: number;
  /** What the policies decided during the step. */
  readonly decisions: PolicyDecision[];
  /** W3C traceparent of this step's span. */
  readonly traceparent: string;
}

const NO_DECISIONS: PolicyDecision[] = [];
const TIME_ORIGIN = platform.performance.timeOrigin;
/** A time not taken yet (clock readings are never negative). */
export const UNTIMED = -1;

/** A hop as the runtime makes it, on an envelope whose trace id it reads when asked. */
export class HopRecord implements Hop {
  readonly where: string;
  readonly service: string;
  readonly topic: string;
  readonly streamId?: string;
  #start: number;
  #duration = 0;
  #ended = false;
  #decisions: PolicyDecision[] = NO_DECISIONS;
  readonly #trace: { readonly traceId: string };
  #span: string | undefined;

  constructor(
    trace: { readonly traceId: string },
    topic: string,
    where: string,
    service: string,
    streamId: string | undefined,
    timed: boolean,
  ) {
    this.where = where;
    this.service = service;
    this.topic = topic;
    if (streamId !== undefined) this.streamId = streamId;
    this.#start = timed ? now() : UNTIMED;
    this.#trace = trace;
    this.#span = undefined;
  }

  /** When the step started (epoch ms, from the monotonic clock anchored at process start). */
  get at(): number {
    this.time();
    return Math.round(TIME_ORIGIN + this.#start);
  }

  get durationMs(): number {
    return this.#duration;
  }

  set durationMs(ms: number) {
    this.#duration = ms;
  }

  get decisions(): PolicyDecision[] {
    if (this.#decisions === NO_DECISIONS) this.#decisions = [];
    return this.#decisions;
  }

  get traceparent(): string {
    this.#span ??= spanId();
    return `00-${this.#trace.traceId}-${this.#span}-01`;
  }

  /** Starts the clock of an untimed hop. */
  time(): void {
    if (this.#start === UNTIMED) this.#start = now();
  }

  /** The step is done: records how long it took, when it was timed. */
  end(): void {
    if (this.#start !== UNTIMED) this.#duration = now() - this.#start;
    this.#ended = true;
  }

  /** Its duration, or for a step not ended (one that failed on its way) the time it has run. */
  elapsed(at: number): number {
    if (this.#ended || this.#start === UNTIMED) return this.#duration;
    return Math.max(0, at - this.#start);
  }

  toJSON(): Hop {
    return {
      where: this.where,
      service: this.service,
      topic: this.topic,
      ...(this.streamId === undefined ? {} : { streamId: this.streamId }),
      at: this.at,
      durationMs: this.#duration,
      decisions: this.#decisions,
      traceparent: this.traceparent,
    };
  }
}

/**
 * How long a hop took; for one that was started and not ended (a step that failed on its way) the
 * time since it started, as of `at` (a `performance.now()` reading).
 */
export function hopElapsed(hop: Hop, at: number): number {
  return hop instanceof HopRecord ? hop.elapsed(at) : hop.durationMs;
}
