/**
 * Policies: cross-cutting rules matched per message — retry with exponential backoff and jitter,
 * timeout (an AbortSignal reaches the handler), cache of `localInvoke` answers, circuit breaker.
 * Each wraps a receptor's decision (decide + append; never the cascade, so a retry cannot repeat
 * a committed effect), stays synchronous while the decision is, and records what it decided on
 * the message's hop.
 *
 * @example
 * whizbang().receptor(charge).policy(retry({ maxAttempts: 3 }), { for: [Charge] }).policy(timeout({ ms: 2000 }))
 */
import type { Hop } from '../messages/envelope.ts';
import type { Message } from '../messages/message.ts';
import { isWhizbangError, WhizbangError } from '../util/errors.ts';
import { isThenable, type MaybePromise } from '../util/maybe.ts';
import { type AbortController, type AbortSignal, platform } from '../util/platform.ts';
import { sleep } from '../util/timers.ts';

/** One run of a decision under policies: the signal a timeout aborts, and whether it did. */
export interface Attempt {
  /** Aborted when a policy gives up on this run (timeout); made on first read. */
  readonly signal: AbortSignal;
  /** Whether this attempt was given up on. */
  readonly aborted: boolean;
  /** 1 for the first run, 2 for the first retry, … */
  readonly number: number;
  /** Gives up on this attempt (its signal aborts). */
  abort(reason: unknown): void;
}

/** What a policy sees of the message it wraps. */
export interface PolicyRun {
  /** The message being handled. */
  readonly message: Message;
  /** Its tenant. */
  readonly tenant: string;
  /** The hop decisions are recorded on. */
  readonly hop: Hop;
  /** The run in progress (the newest, when a retry made several). */
  readonly attempt: Attempt | undefined;
  /** Records a decision on the message's hop (the policy trail). */
  decide(decision: string, detail?: string): void;
}

/** The result a policy passes along: the caller's value and whether anything was written. */
export interface PolicyOutcome {
  /** What the handling returned. */
  readonly value: unknown;
  /** True when the decision appended events or cascades commands (never cached). */
  readonly wrote: boolean;
}

/** A policy: wraps `next` (which runs the decision under a fresh `Attempt`). */
export interface Policy {
  /** The policy's name, as recorded on hops. */
  readonly name: string;
  /** Runs `next` under the policy (retrying, timing out, caching, …) and records its decisions. */
  wrap<T extends PolicyOutcome>(
    next: () => MaybePromise<T>,
    run: PolicyRun,
    cached: (value: unknown) => T,
  ): MaybePromise<T>;
}

/** Which messages a policy applies to: definitions (or type names), or a predicate. */
export type PolicyMatch =
  | { readonly for: ReadonlyArray<{ readonly type: string } | string> }
  | ((message: Message) => boolean);

/** The attempt object, its AbortController made only when someone reads the signal. */
export class AttemptState implements Attempt {
  readonly number: number;
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;

  constructor(number: number) {
    this.number = number;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new platform.AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

/** Errors no retry can mend: bad input, missing handlers, loops, decisions refused by a policy. */
const PERMANENT = new Set([
  'VALIDATION_FAILED',
  'NO_HANDLER',
  'STREAM_REQUIRED',
  'CASCADE_TOO_DEEP',
  'INVALID_ARGUMENT',
  'CIRCUIT_OPEN',
  'CLOSED',
  'STORAGE_QUOTA',
  'FORBIDDEN',
]);

/** Options of {@link retry}. */
export interface RetryOptions {
  /** Runs in all, the first included (default 3). */
  readonly maxAttempts?: number;
  /** Delay before the first retry (default 50 ms); doubles each time up to `maxDelayMs`. */
  readonly initialDelayMs?: number;
  /** The longest wait between tries, ms. */
  readonly maxDelayMs?: number;
  /** Randomise each delay between half and all of it (default true), so retries do not stampede. */
  readonly jitter?: boolean;
  /** Which errors are worth another run (default: any but bad input and other permanent ones). */
  readonly retryOn?: (error: unknown) => boolean;
}

/** Runs a failed decision again after a growing, jittered delay. */
export function retry(options: RetryOptions = {}): Policy {
  const maxAttempts = options.maxAttempts ?? 3;
  const initial = options.initialDelayMs ?? 50;
  const max = options.maxDelayMs ?? 5_000;
  const jitter = options.jitter ?? true;
  const retryOn =
    options.retryOn ?? ((e: unknown) => !(isWhizbangError(e) && PERMANENT.has(e.code)));
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `retry: maxAttempts must be a whole number ≥ 1, got ${maxAttempts}.`,
    );
  }
  const delay = (attempt: number): number => {
    const base = Math.min(max, initial * 2 ** (attempt - 1));
    return jitter ? base / 2 + Math.random() * (base / 2) : base;
  };
  // made once per policy: the first run of a decision (the hot path) allocates nothing here
  const again = (
    error: unknown,
    attempt: number,
    next: () => MaybePromise<any>,
    run: PolicyRun,
  ): Promise<any> => {
    if (attempt >= maxAttempts || !retryOn(error)) {
      if (attempt > 1) run.decide('gave-up', `after ${attempt} attempts: ${message(error)}`);
      return Promise.reject(error);
    }
    const wait = delay(attempt);
    run.decide(
      'retry',
      `attempt ${attempt + 1} of ${maxAttempts} in ${Math.round(wait)} ms: ${message(error)}`,
    );
    return sleep(wait).then(() => {
      let result: MaybePromise<any>;
      try {
        result = next();
      } catch (e) {
        return again(e, attempt + 1, next, run);
      }
      return Promise.resolve(result).catch((e: unknown) => again(e, attempt + 1, next, run));
    });
  };
  return {
    name: 'retry',
    wrap(next, run) {
      let result: MaybePromise<any>;
      try {
        result = next();
      } catch (error) {
        if (maxAttempts === 1 || !retryOn(error)) throw error;
        return again(error, 1, next, run);
      }
      return isThenable(result)
        ? Promise.resolve(result).catch((e: unknown) => again(e, 1, next, run))
        : result;
    },
  };
}

/** Options of {@link timeout}. */
export interface TimeoutOptions {
  /** How long an attempt may take, ms. */
  readonly ms: number;
}

/**
 * Gives up on a decision that has not finished in `ms`: the handler's `context.signal` aborts, the
 * caller gets a `TIMEOUT` error, and a decision that arrives later is not appended.
 */
export function timeout(options: TimeoutOptions): Policy {
  const { ms } = options;
  if (!(ms > 0)) throw new WhizbangError('INVALID_ARGUMENT', `timeout: ms must be > 0, got ${ms}.`);
  return {
    name: 'timeout',
    wrap(next, run) {
      const result = next();
      if (!isThenable(result)) return result; // finished at once: no timer needed
      return new Promise((resolve, reject) => {
        const timer = platform.setTimeout(() => {
          const error = new WhizbangError(
            'TIMEOUT',
            `"${run.message.type}" did not finish within ${ms} ms; it was abandoned and nothing it decided was written. ` +
              'Make the handler faster, honour context.signal, or raise the timeout.',
          );
          run.decide('timed-out', `${ms} ms`);
          run.attempt?.abort(error);
          reject(error);
        }, ms);
        Promise.resolve(result).then(
          (value) => {
            platform.clearTimeout(timer);
            resolve(value);
          },
          (error: unknown) => {
            platform.clearTimeout(timer);
            reject(error);
          },
        );
      });
    },
  };
}

/** Options of {@link circuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit (default 5). */
  readonly failureThreshold?: number;
  /** How long it stays open before one trial run is let through (default 10 s). */
  readonly halfOpenAfterMs?: number;
  /** Which errors count as failures (default: any but bad input and other permanent ones). */
  readonly failureOn?: (error: unknown) => boolean;
}

/** The state of a circuit breaker. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** A circuit breaker policy; `state` tells where it is. */
export interface CircuitBreaker extends Policy {
  /**
   * `'closed'` (calls go through), `'open'` (they fail fast) or `'half-open'` (one goes through).
   */
  readonly state: CircuitState;
  /** Closes the circuit by hand. */
  reset(): void;
}

/** Stops calling a failing handler for a while: closed → open after failures → half-open trial → closed. */
export function circuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const threshold = options.failureThreshold ?? 5;
  const openFor = options.halfOpenAfterMs ?? 10_000;
  const failureOn =
    options.failureOn ?? ((e: unknown) => !(isWhizbangError(e) && PERMANENT.has(e.code)));
  let state: CircuitState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let trial = false;
  const succeeded = (run: PolicyRun): void => {
    if (state !== 'closed') run.decide('closed', 'the trial run succeeded');
    state = 'closed';
    failures = 0;
    trial = false;
  };
  const failed = (error: unknown, run: PolicyRun): never => {
    trial = false;
    if (failureOn(error)) {
      failures++;
      if (state === 'half-open' || failures >= threshold) {
        state = 'open';
        openedAt = Date.now();
        run.decide('open', `${failures} failure(s); the last: ${message(error)}`);
      }
    }
    throw error;
  };
  return {
    name: 'circuit-breaker',
    get state() {
      if (state === 'open' && Date.now() - openedAt >= openFor) state = 'half-open';
      return state;
    },
    reset() {
      state = 'closed';
      failures = 0;
      trial = false;
    },
    wrap(next, run) {
      if (state === 'open' && Date.now() - openedAt >= openFor) state = 'half-open';
      if (state === 'open' || (state === 'half-open' && trial)) {
        run.decide('rejected', 'circuit open');
        throw new WhizbangError(
          'CIRCUIT_OPEN',
          `"${run.message.type}" was not run: its circuit is open after repeated failures. It will try again after ${openFor} ms.`,
        );
      }
      if (state === 'half-open') {
        trial = true;
        run.decide('half-open', 'trial run');
      }
      let result: MaybePromise<any>;
      try {
        result = next();
      } catch (error) {
        return failed(error, run);
      }
      if (!isThenable(result)) {
        succeeded(run);
        return result;
      }
      return Promise.resolve(result).then(
        (value) => {
          succeeded(run);
          return value;
        },
        (error: unknown) => failed(error, run),
      );
    },
  };
}

/** Options of {@link cache}. */
export interface CacheOptions {
  /** How long an answer is kept (milliseconds). */
  readonly ttlMs: number;
  /** The cache key of a message (default: its type and data as JSON); tenant is always part of it. */
  readonly key?: (message: Message) => string;
  /** At most this many answers are kept; the oldest go first (default 1000). */
  readonly maxEntries?: number;
}

/** A cache policy; `invalidate` drops answers. */
export interface CachePolicy extends Policy {
  /** Drops every answer, or those whose message matches. */
  invalidate(match?: (message: Message) => boolean): void;
  /** How many entries the cache holds now. */
  readonly size: number;
}

/**
 * Keeps the answers of read-only decisions (nothing appended, nothing sent) for `ttlMs`: a
 * `localInvoke` of the same query answers from the cache. A decision that writes is never cached.
 */
export function cache(options: CacheOptions): CachePolicy {
  const { ttlMs } = options;
  if (!(ttlMs > 0))
    throw new WhizbangError('INVALID_ARGUMENT', `cache: ttlMs must be > 0, got ${ttlMs}.`);
  const keyOf = options.key ?? ((m: Message) => `${m.type}\u0000${JSON.stringify(m.data)}`);
  const maxEntries = options.maxEntries ?? 1000;
  const entries = new Map<string, { value: unknown; until: number; message: Message }>();
  return {
    name: 'cache',
    get size() {
      return entries.size;
    },
    invalidate(match) {
      if (match === undefined) entries.clear();
      else for (const [k, e] of entries) if (match(e.message)) entries.delete(k);
    },
    wrap(next, run, cached) {
      const key = `${run.tenant}\u0000${keyOf(run.message)}`;
      const hit = entries.get(key);
      if (hit !== undefined && hit.until > Date.now()) {
        run.decide('hit');
        return cached(hit.value);
      }
      run.decide('miss');
      const keep = <T extends PolicyOutcome>(outcome: T): T => {
        if (!outcome.wrote) {
          if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
          entries.set(key, {
            value: outcome.value,
            until: Date.now() + ttlMs,
            message: run.message,
          });
        }
        return outcome;
      };
      const result = next();
      return isThenable(result) ? Promise.resolve(result).then(keep) : keep(result);
    },
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
