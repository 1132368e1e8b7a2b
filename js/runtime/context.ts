/** What a receptor knows besides its command, made once per decision. */
import type { Attempt } from '../definitions/policy.ts';
import type { Principal } from '../definitions/principal.ts';
import type { ReceptorContext } from '../definitions/receptor.ts';
import { type Envelope, seeEnvelope } from '../messages/envelope.ts';
import type { AbortSignal } from '../util/platform.ts';
import { principalOf } from './principal.ts';

/**
 * A receptor's context. Its envelope, once read, can be kept beyond the dispatch, so reading it
 * takes the envelope's times; the abort signal is the current attempt's, made only when read.
 */
class Context implements ReceptorContext {
  readonly tenant: string;
  readonly streamId: string | undefined;
  readonly version: number;
  readonly #envelope: Envelope;
  readonly #attempt: Attempt | undefined;

  constructor(
    envelope: Envelope,
    streamId: string | undefined,
    version: number,
    attempt: Attempt | undefined,
  ) {
    this.tenant = envelope.tenant;
    this.streamId = streamId;
    this.version = version;
    this.#envelope = envelope;
    this.#attempt = attempt;
  }

  get envelope(): Envelope {
    seeEnvelope(this.#envelope);
    return this.#envelope;
  }

  get signal(): AbortSignal | undefined {
    return this.#attempt?.signal;
  }

  get principal(): Principal | undefined {
    return principalOf(this.#envelope);
  }
}

/** The context of one decision (under policies when `attempt` is given). */
export function receptorContext(
  envelope: Envelope,
  streamId: string | undefined,
  version: number,
  attempt: Attempt | undefined,
): ReceptorContext {
  return new Context(envelope, streamId, version, attempt);
}

/** A decision that arrives after a policy gave up on it (timeout) is not written. */
export function stillWanted(attempt: Attempt | undefined): void {
  if (attempt?.aborted) throw attempt.signal.reason;
}
