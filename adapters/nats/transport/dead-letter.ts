/**
 * The dead letter, the last stop of an envelope: after its last attempt, or when the bytes are not
 * an envelope at all, they are published to `<dead-letter subject>.<topic>` with why in headers
 * (JetStream itself only raises an advisory), and `onDeadLetter` is told.
 */

import type { NatsConnection } from '@nats-io/nats-core';
import { isWhizbangError, type WireEnvelope } from '../../../js/mod.ts';
import type { TransportSettings } from './settings.ts';

type Core = typeof import('@nats-io/nats-core');

/** Publishes dead letters, and decodes envelopes sending what is not one there. */
export class DeadLetters {
  readonly #nc: NatsConnection;
  readonly #core: Core;
  readonly #settings: TransportSettings;

  constructor(nc: NatsConnection, core: Core, settings: TransportSettings) {
    this.#nc = nc;
    this.#core = core;
    this.#settings = settings;
  }

  /** Publishes `data` as a dead letter of `topic`, failed with `error` after `deliveries`. */
  send(
    topic: string,
    data: Uint8Array,
    envelope: WireEnvelope | undefined,
    error: unknown,
    deliveries: number,
  ): void {
    try {
      const h = this.#core.headers();
      h.set('Whizbang-Topic', topic);
      h.set('Whizbang-Error-Code', isWhizbangError(error) ? error.code : 'HANDLER_FAILED');
      h.set(
        'Whizbang-Error',
        (error instanceof Error ? error.message : String(error)).replace(/[\r\n]+/g, ' '),
      );
      h.set('Whizbang-Deliveries', String(deliveries));
      this.#nc.publish(`${this.#settings.deadLetterSubject}.${topic}`, data, { headers: h });
    } catch {
      // the connection is closing: the envelope stays unacked and comes back (JetStream)
    }
    try {
      this.#settings.onDeadLetter?.({ topic, error, envelope, data, deliveries });
    } catch {
      // the dead letter is the last stop: nothing is left to report its failure to
    }
  }

  /** Decodes, or dead-letters what is not an envelope. */
  decode(topic: string, data: Uint8Array, deliveries: number): WireEnvelope | undefined {
    try {
      return this.#settings.codec.decode(data);
    } catch (error) {
      this.send(topic, data, undefined, error, deliveries);
      return undefined;
    }
  }
}
