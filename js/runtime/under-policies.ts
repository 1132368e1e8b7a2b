/**
 * Running a receptor's decision under policies: each policy wraps the next, outermost first, and
 * every run of the decision gets a fresh attempt (its abort signal made only when read).
 */

import {
  type Attempt,
  AttemptState,
  type Policy,
  type PolicyOutcome,
  type PolicyRun,
} from '../definitions/policy.ts';
import { type Envelope, type Hop, seeEnvelope } from '../messages/envelope.ts';
import type { Message } from '../messages/message.ts';
import type { MaybePromise } from '../util/maybe.ts';

/**
 * Runs `decide` under `policies`; `cached` makes the decision a cache answers with. The step's hop
 * (`hop`, or the envelope's newest once it is seen) holds what the policies decide.
 */
export function underPolicies<D extends PolicyOutcome>(
  policies: readonly Policy[],
  envelope: Envelope,
  hop: Hop | undefined,
  decide: (attempt: Attempt) => MaybePromise<D>,
  cached: (value: unknown) => D,
): MaybePromise<D> {
  return new Chain(policies, envelope, hop, decide, cached).from(0);
}

/** One decision under its policies: the runs of it, and the hop they record on. */
class Chain<D extends PolicyOutcome> {
  readonly #policies: readonly Policy[];
  readonly envelope: Envelope;
  #hop: Hop | undefined;
  readonly #decide: (attempt: Attempt) => MaybePromise<D>;
  readonly #cached: (value: unknown) => D;
  #count = 0;
  /** The run of the decision in progress (the newest, when a retry made several). */
  current: AttemptState | undefined;

  constructor(
    policies: readonly Policy[],
    envelope: Envelope,
    hop: Hop | undefined,
    decide: (attempt: Attempt) => MaybePromise<D>,
    cached: (value: unknown) => D,
  ) {
    this.#policies = policies;
    this.envelope = envelope;
    this.#hop = hop;
    this.#decide = decide;
    this.#cached = cached;
  }

  /** Runs the policies from the `i`th inward, then the decision itself in a fresh attempt. */
  from(i: number): MaybePromise<D> {
    const policy = this.#policies[i];
    if (policy === undefined) {
      const attempt = new AttemptState(++this.#count);
      this.current = attempt;
      return this.#decide(attempt);
    }
    const run = new Run(policy.name, this, i + 1);
    return policy.wrap(run.next, run, this.#cached);
  }

  /** The step's hop: on an envelope nothing has seen yet, made (and timed) when first asked for. */
  get hop(): Hop {
    if (this.#hop === undefined) {
      seeEnvelope(this.envelope);
      const hops = this.envelope.hops;
      this.#hop = hops[hops.length - 1]!;
    }
    return this.#hop;
  }
}

/** One policy's view of a message under it. */
class Run<D extends PolicyOutcome> implements PolicyRun {
  readonly #policy: string;
  readonly #chain: Chain<D>;
  readonly #inner: number;

  constructor(policy: string, chain: Chain<D>, inner: number) {
    this.#policy = policy;
    this.#chain = chain;
    this.#inner = inner;
  }

  /** Runs what this policy wraps (the policies inside it, then the decision). */
  readonly next = (): MaybePromise<D> => this.#chain.from(this.#inner);

  get message(): Message {
    return this.#chain.envelope.message;
  }

  get tenant(): string {
    return this.#chain.envelope.tenant;
  }

  get hop(): Hop {
    return this.#chain.hop;
  }

  get attempt(): Attempt | undefined {
    return this.#chain.current;
  }

  decide(decision: string, detail?: string): void {
    this.hop.decisions.push(
      detail === undefined
        ? { policy: this.#policy, decision }
        : { policy: this.#policy, decision, detail },
    );
  }
}
