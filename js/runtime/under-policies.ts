/**
 * Running a receptor's decision under policies: each policy wraps the next, outermost first, and
 * every run gets a fresh attempt (its abort signal made only when read).
 */

import {
  type Attempt,
  AttemptState,
  type Policy,
  type PolicyOutcome,
  type PolicyRun,
} from '../definitions/policy.ts';
import type { Envelope, Hop } from '../messages/envelope.ts';
import type { Message } from '../messages/message.ts';
import type { MaybePromise } from '../util/maybe.ts';

/** Runs `decide` under `policies`; `cached` makes the decision a cache answers with. */
export function underPolicies<D extends PolicyOutcome>(
  policies: readonly Policy[],
  envelope: Envelope,
  hop: Hop,
  decide: (attempt: Attempt) => MaybePromise<D>,
  cached: (value: unknown) => D,
): MaybePromise<D> {
  const attempts = new Attempts();
  let next = (): MaybePromise<D> => decide(attempts.next());
  for (let i = policies.length - 1; i >= 0; i--) {
    const policy = policies[i]!;
    const inner = next;
    const run = new Run(policy.name, envelope, hop, attempts);
    next = () => policy.wrap(inner, run, cached);
  }
  return next();
}

/** The attempts of one decision under policies; the newest is the one in progress. */
class Attempts {
  current: AttemptState | undefined;
  #count = 0;

  next(): AttemptState {
    this.current = new AttemptState(++this.#count);
    return this.current;
  }
}

/** One policy's view of a message under it. */
class Run implements PolicyRun {
  readonly message: Message;
  readonly tenant: string;
  readonly hop: Hop;
  readonly #policy: string;
  readonly #attempts: Attempts;

  constructor(policy: string, envelope: Envelope, hop: Hop, attempts: Attempts) {
    this.#policy = policy;
    this.message = envelope.message;
    this.tenant = envelope.tenant;
    this.hop = hop;
    this.#attempts = attempts;
  }

  get attempt(): Attempt | undefined {
    return this.#attempts.current;
  }

  decide(decision: string, detail?: string): void {
    this.hop.decisions.push(
      detail === undefined
        ? { policy: this.#policy, decision }
        : { policy: this.#policy, decision, detail },
    );
  }
}
