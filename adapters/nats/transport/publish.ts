/**
 * Publishing an envelope: encoded in the transport's codec, `traceparent` in a header. Core NATS
 * publishes are batched onto the next macrotask (at most once, like core NATS itself); JetStream
 * publishes are stored and acked, deduplicated by message id per topic.
 */

import type { JetStreamClient } from '@nats-io/jetstream';
import type { MsgHdrs, NatsConnection } from '@nats-io/nats-core';
import { checkTopic } from '../../../js/kit/mod.ts';
import { isWhizbangError, WhizbangError, type WireEnvelope } from '../../../js/mod.ts';
import type { EnvelopeCodec } from '../../../js/wasm/mod.ts';
import { shortHash } from '../jetstream.ts';
import { closedError, type Subjects } from './settings.ts';

type Core = typeof import('@nats-io/nats-core');

/** What a publisher needs of its transport. */
export interface PublisherContext {
  readonly nc: NatsConnection;
  readonly core: Core;
  readonly codec: EnvelopeCodec;
  readonly subjects: Subjects;
  /** The JetStream client; undefined for core NATS. */
  readonly js: JetStreamClient | undefined;
}

/** Runs `fn` on a later macrotask (`setImmediate` where there is one). */
const later: (fn: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (fn) => {
        (globalThis as unknown as { setImmediate(f: () => void): void }).setImmediate(fn);
      }
    : (fn) => {
        setTimeout(fn, 0);
      };

/**
 * A JetStream publish that failed: refused for its size (`INVALID_ARGUMENT`, it never will go), or
 * not confirmed (`UNAVAILABLE`: the server was away or slow; publishing again is safe).
 */
function unconfirmed(topic: string, error: unknown): WhizbangError {
  if (isWhizbangError(error)) return error;
  const text = error instanceof Error ? error.message : String(error);
  if (/payload|message size|too large/i.test(text)) {
    return new WhizbangError(
      'INVALID_ARGUMENT',
      `publish("${topic}", …): the JetStream stream refused the envelope (${text}). Send large content elsewhere and reference it.`,
      { cause: error },
    );
  }
  return new WhizbangError(
    'UNAVAILABLE',
    `The NATS server did not confirm the envelope published to "${topic}" (${text}); it may or may not be stored. Publish it again (the outbox relay does; the stream keeps a repeat once).`,
    { cause: error },
  );
}

/** The publish side of a NATS transport. */
export class Publisher {
  readonly #ctx: PublisherContext;
  // Core publishes wait for the next macrotask and go out together: the client flushes its
  // socket on a microtask, so a publisher that awaits each publish would write once per envelope.
  #outgoing: Array<{ subject: string; data: Uint8Array; headers: MsgHdrs | undefined }> = [];
  // topics already checked (publishers repeat a few topics)
  readonly #checked = new Set<string>();
  // the last traceparent's header, encoded once: one envelope often goes to several topics, and
  // the envelopes of one step share their traceparent
  #lastTrace: { readonly traceparent: string; readonly headers: MsgHdrs } | undefined;
  // JetStream publishes waiting for the server's confirmation
  readonly #confirming = new Set<{ topic: string; reject: (error: unknown) => void }>();

  constructor(ctx: PublisherContext) {
    this.#ctx = ctx;
  }

  /** Publishes; a promise of the server's ack with JetStream, nothing with core NATS. */
  publish(topic: string, envelope: WireEnvelope): Promise<void> | undefined {
    const { nc, js, subjects } = this.#ctx;
    this.#checkTopic(topic);
    const data = this.#encode(topic, envelope);
    if (js === undefined) {
      const headers = this.#traceHeader(envelope);
      const max = nc.info?.max_payload;
      if (max !== undefined && data.length > max) {
        throw new WhizbangError(
          'INVALID_ARGUMENT',
          `publish("${topic}", …): the envelope is ${data.length} bytes, over the server's max_payload of ${max}. Send large content elsewhere and reference it.`,
        );
      }
      if (nc.isClosed()) throw closedError(`publish to "${topic}"`);
      this.#outgoing.push({ subject: subjects.subjectOf(topic), data, headers });
      if (this.#outgoing.length === 1) later(() => this.flush());
      else if (this.#outgoing.length >= 256) this.flush(); // a socket write per 256 is enough
      return undefined;
    }
    // the JetStream client adds the message id to these headers: a fresh set each time
    const headers = this.#headers(envelope);
    return new Promise<void>((resolve, reject) => {
      const waiting = { topic, reject };
      this.#confirming.add(waiting);
      js.publish(subjects.subjectOf(topic), data, {
        ...(headers === undefined ? {} : { headers }),
        // one envelope may go to several topics: deduplicated per topic, not across them
        msgID: `${envelope.messageId}:${shortHash(topic)}`,
      }).then(
        () => {
          this.#confirming.delete(waiting);
          resolve();
        },
        (error: unknown) => {
          this.#confirming.delete(waiting);
          reject(unconfirmed(topic, error));
        },
      );
    });
  }

  /**
   * The connection went away: JetStream publishes still waiting for the server's confirmation
   * fail now with `UNAVAILABLE` (their request went with the old socket; the client would wait
   * out its timeout). Publishing them again is safe: the stream keeps a repeat once.
   */
  abandon(): void {
    const waiting = [...this.#confirming];
    this.#confirming.clear();
    for (const w of waiting) {
      w.reject(unconfirmed(w.topic, new Error('the connection to the server was lost')));
    }
  }

  /** Sends the core publishes waiting for the next macrotask now. */
  flush(): void {
    const batch = this.#outgoing;
    this.#outgoing = [];
    for (const { subject, data, headers } of batch) {
      try {
        this.#ctx.nc.publish(subject, data, headers === undefined ? undefined : { headers });
      } catch {
        // the connection closed under it: core NATS is at most once
      }
    }
  }

  #checkTopic(topic: string): void {
    if (this.#checked.has(topic)) return;
    checkTopic(topic, 'publish');
    if (this.#checked.size >= 1024) this.#checked.clear();
    this.#checked.add(topic);
  }

  #encode(topic: string, envelope: WireEnvelope): Uint8Array {
    try {
      return this.#ctx.codec.encode(envelope);
    } catch (error) {
      if (isWhizbangError(error) && error.code === 'INVALID_ARGUMENT') {
        throw new WhizbangError('INVALID_ARGUMENT', `publish("${topic}", …): ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** The traceparent header of a core publish: the last one again when the traceparent repeats. */
  #traceHeader(envelope: WireEnvelope): MsgHdrs | undefined {
    const traceparent = envelope.traceparent;
    const last = this.#lastTrace;
    if (last !== undefined && last.traceparent === traceparent) return last.headers;
    const headers = this.#headers(envelope);
    if (headers === undefined) return undefined;
    // the client encodes a message's headers on every publish; these never change, so once is
    // enough (a client without `encode` on its headers just does not use it)
    const impl = headers as MsgHdrs & { encode?: () => Uint8Array };
    if (typeof impl.encode === 'function') {
      const bytes = impl.encode();
      Object.defineProperty(impl, 'encode', { value: () => bytes });
    }
    this.#lastTrace = { traceparent, headers };
    return headers;
  }

  // traceparent travels in the headers, so tracing tools see it without decoding the envelope
  #headers(envelope: WireEnvelope): MsgHdrs | undefined {
    if (typeof envelope.traceparent !== 'string' || envelope.traceparent === '') return undefined;
    const h = this.#ctx.core.headers();
    h.set('traceparent', envelope.traceparent);
    return h;
  }
}
