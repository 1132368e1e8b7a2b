/**
 * The dead letter, the last stop of an envelope: after its last attempt, or when the bytes are not
 * an envelope at all, they are published to the dead-letter exchange (the topic as routing key)
 * with why in headers, kept by the dead-letter queue, and `onDeadLetter` is told. Only then is the
 * delivery acked: a dead letter the broker did not take comes back.
 */

import { isWhizbangError, type WireEnvelope } from '../../../js/mod.ts';
import type { Publisher } from './publish.ts';
import type { DeadLetter } from './settings.ts';

/** Publishes dead letters. */
export class DeadLetters {
  readonly #publisher: Publisher;
  readonly #told: ((letter: DeadLetter) => void) | undefined;

  constructor(publisher: Publisher, told: ((letter: DeadLetter) => void) | undefined) {
    this.#publisher = publisher;
    this.#told = told;
  }

  /** Dead-letters `data` of `topic`, failed with `error` after `deliveries`; false when it could not. */
  async send(
    topic: string,
    data: Uint8Array,
    envelope: WireEnvelope | undefined,
    error: unknown,
    deliveries: number,
    traceparent: unknown,
  ): Promise<boolean> {
    const headers: Record<string, string | number> = {
      'Whizbang-Topic': topic,
      'Whizbang-Error-Code': isWhizbangError(error) ? error.code : 'HANDLER_FAILED',
      'Whizbang-Error': (error instanceof Error ? error.message : String(error)).slice(0, 4096),
      'Whizbang-Deliveries': deliveries,
    };
    if (typeof traceparent === 'string') headers.traceparent = traceparent;
    try {
      await this.#publisher.deadLetter(topic, data, headers);
    } catch {
      return false; // the connection went: the delivery stays unacked and comes back
    }
    try {
      this.#told?.({ topic, error, envelope, data, deliveries });
    } catch {
      // the dead letter is the last stop: nothing is left to report its failure to
    }
    return true;
  }
}
