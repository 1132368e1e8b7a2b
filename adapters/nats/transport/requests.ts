/**
 * Request/reply of the NATS transport, on core NATS in either mode: a request is a NATS request
 * carrying the envelope (in the transport's codec, `traceparent` in a header), and the answer is
 * a JSON reply (a value, or an error with its code). Responders in a queue group compete, so one of
 * them answers; the server's "no responders" status becomes `NO_RESPONDER`.
 */

import type { Msg, Subscription } from '@nats-io/nats-core';
import {
  answerOf,
  checkQueue,
  checkTopic,
  decodeReply,
  encodeReply,
  invalidArgument,
  noResponder,
  replyOf,
  requestTimeout,
  wholeOption,
  wireError,
} from '../../../js/kit/mod.ts';
import {
  type TransportRequestOptions,
  type TransportResponder,
  type TransportSubscribeOptions,
  type TransportSubscription,
  WhizbangError,
  type WireEnvelope,
  type WireReply,
} from '../../../js/mod.ts';
import type { EnvelopeCodec } from '../../../js/wasm/mod.ts';
import { subjectsUnder } from './settings.ts';

type Core = typeof import('@nats-io/nats-core');
type Connection = import('@nats-io/nats-core').NatsConnection;

/** What the request side needs of its transport. */
export interface NatsRequestsContext {
  readonly nc: Connection;
  readonly core: Core;
  readonly codec: EnvelopeCodec;
  /** Subject prefix of requests ('' for none). */
  readonly prefix: string;
  /** Throws CLOSED when the transport is closed. */
  readonly guard: (action: string) => void;
}

/** The request side of a NATS transport. */
export interface NatsRequests {
  request(
    topic: string,
    envelope: WireEnvelope,
    options?: TransportRequestOptions,
  ): Promise<unknown>;
  respond(
    topic: string,
    responder: TransportResponder,
    options?: TransportSubscribeOptions,
  ): Promise<TransportSubscription>;
  /** Ends every responder, after the answers in hand went out. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Makes the request side of a transport over `nc`. */
export function natsRequests({
  nc,
  core,
  codec,
  prefix,
  guard,
}: NatsRequestsContext): NatsRequests {
  const { subjectOf, topicOf } = subjectsUnder(prefix);
  const open = new Set<{ sub: Subscription; answering: Set<Promise<void>> }>();

  /** Sends a reply; one too large for the server becomes an error reply. */
  const send = (msg: Msg, reply: WireReply, topic: string): void => {
    let bytes = encoder.encode(encodeReply(reply, topic));
    const max = nc.info?.max_payload;
    if (max !== undefined && bytes.length > max) {
      const error = new WhizbangError(
        'INVALID_ARGUMENT',
        `The answer to a request on "${topic}" is ${bytes.length} bytes, over the server's max_payload of ${max}. Return less, and reference large content.`,
      );
      bytes = encoder.encode(encodeReply({ ok: false, error: wireError(error) }, topic));
    }
    try {
      msg.respond(bytes);
    } catch {
      // the connection closed under it: the requester times out
    }
  };

  return {
    async request(topic, envelope, options = {}): Promise<unknown> {
      guard(`send a request to "${topic}"`);
      checkTopic(topic, 'publish');
      const timeoutMs = wholeOption('timeoutMs', options.timeoutMs, 5_000, 1);
      const data = codec.encode(envelope);
      const max = nc.info?.max_payload;
      if (max !== undefined && data.length > max) {
        throw new WhizbangError(
          'INVALID_ARGUMENT',
          `request("${topic}", …): the envelope is ${data.length} bytes, over the server's max_payload of ${max}. Send large content elsewhere and reference it.`,
        );
      }
      let headers: ReturnType<Core['headers']> | undefined;
      if (typeof envelope.traceparent === 'string' && envelope.traceparent !== '') {
        headers = core.headers();
        headers.set('traceparent', envelope.traceparent);
      }
      let msg: Msg;
      try {
        msg = await nc.request(subjectOf(topic), data, {
          timeout: timeoutMs,
          ...(headers === undefined ? {} : { headers }),
        });
      } catch (error) {
        if (error instanceof core.RequestError && error.isNoResponders()) {
          throw noResponder(topic, error);
        }
        if (error instanceof core.TimeoutError) throw requestTimeout(topic, timeoutMs, error);
        throw new WhizbangError(
          nc.isClosed() ? 'CLOSED' : 'UNAVAILABLE',
          `The request to "${topic}" did not reach NATS (${error instanceof Error ? error.message : String(error)}). Check the connection and invoke again with the same messageId.`,
          { cause: error },
        );
      }
      return answerOf(decodeReply(decoder.decode(msg.data), topic), topic);
    },

    async respond(topic, responder, options = {}): Promise<TransportSubscription> {
      guard(`answer requests on "${topic}"`);
      checkTopic(topic, 'subscribe');
      if (typeof responder !== 'function') {
        throw invalidArgument(`respond("${topic}", …) needs a responder function.`);
      }
      checkQueue(options.queue);
      const answering = new Set<Promise<void>>();
      let closed = false;
      const answer = (msg: Msg): void => {
        if (closed || msg.reply === undefined || msg.reply === '') return; // not a request
        const at = topicOf(msg.subject);
        const done = replyOf(() => responder(codec.decode(msg.data), at)).then((reply) =>
          send(msg, reply, at),
        );
        answering.add(done);
        void done.finally(() => answering.delete(done));
      };
      const sub = nc.subscribe(subjectOf(topic), {
        ...(options.queue === undefined ? {} : { queue: options.queue }),
        callback: (error, msg) => {
          if (error === null) answer(msg);
        },
      });
      await nc.flush();
      const entry = { sub, answering };
      open.add(entry);
      return {
        async close(): Promise<void> {
          if (closed) return;
          closed = true;
          open.delete(entry);
          sub.unsubscribe();
          await Promise.all(answering);
        },
      };
    },

    async close(): Promise<void> {
      await Promise.all(
        [...open].map(async (entry) => {
          entry.sub.unsubscribe();
          await Promise.all(entry.answering);
        }),
      );
      open.clear();
    },
  };
}
