/**
 * The NATS transport. Core NATS by default: subjects are topics, queue groups are competing
 * consumers, and a failed handler is retried here with backoff (core NATS does not redeliver).
 * With `jetstream`, envelopes are stored in a stream and every subscription is a consumer with
 * explicit acks: the server redelivers what was not acked, a queue group (or a `durable` name) is a
 * durable consumer that resumes where it stopped after a restart, and `max_ack_pending = 1` keeps
 * each subscription's order. After the last attempt an envelope, or a message that is not an
 * envelope, is published to the dead-letter subject (JetStream itself only raises an advisory).
 * Request/reply (`request`, `respond`) is core NATS in both modes (see `./requests.ts`).
 */

import type {
  ConsumerMessages,
  JetStreamClient,
  JetStreamManager,
  JsMsg,
} from '@nats-io/jetstream';
import type { Msg, MsgHdrs, Subscription } from '@nats-io/nats-core';
import {
  backoffSleep,
  checkQueue,
  checkTopic,
  invalidArgument,
  wholeOption,
} from '../../js/kit/mod.ts';
import {
  isWhizbangError,
  type Transport,
  type TransportHandler,
  type TransportRequestOptions,
  type TransportResponder,
  type TransportSubscribeOptions,
  type TransportSubscription,
  WhizbangError,
  type WireEnvelope,
} from '../../js/mod.ts';
import { binaryCodec, type EnvelopeCodec } from '../../js/wasm/mod.ts';
import { connectNats, type NatsConnectionLike, type NatsConnectOptions } from './connect.ts';
import { ensureStream, loadJetStream, natsName, safeName } from './jetstream.ts';
import { natsRequests } from './requests.ts';

/** What reached the dead-letter subject, and why. */
export interface DeadLetter {
  readonly topic: string;
  readonly error: unknown;
  /** The envelope, when the bytes were one. */
  readonly envelope: WireEnvelope | undefined;
  readonly data: Uint8Array;
  readonly deliveries: number;
}

/** Options of {@link natsTransport}. */
export interface NatsTransportOptions extends NatsConnectOptions {
  /**
   * The envelope format on the wire: the binary format of the WebAssembly core by default
   * (`binaryCodec()`, one checksummed segment per envelope); `jsonCodec` for UTF-8 JSON.
   */
  readonly codec?: EnvelopeCodec;
  /** A subject prefix for every topic (default none in core NATS, `whizbang` with JetStream). */
  readonly prefix?: string;
  readonly redelivery?: {
    /** Deliveries of one envelope before it goes to the dead letter (default 5). */
    readonly attempts?: number;
    /** Wait before the first redelivery, doubling after each failure (default 100 ms). */
    readonly backoffMs?: number;
  };
  /** Where dead letters are published: `<subject>.<topic>` (default `whizbang.dlq`). */
  readonly deadLetterSubject?: string;
  /** Told of each dead letter after it is published (a place to log it). Its errors are ignored. */
  readonly onDeadLetter?: (letter: DeadLetter) => void;
  /** Reliable delivery through JetStream instead of core NATS. */
  readonly jetstream?: {
    /** The stream that keeps the envelopes (default `WHIZBANG`); made when missing, on `<prefix>.>`. */
    readonly stream?: string;
    /** How long the server waits for an ack before redelivering, ms (default 30000). */
    readonly ackWaitMs?: number;
    /**
     * Unacked envelopes one consumer may have out (default 1, which keeps each subscription's
     * order through redeliveries; more is faster and may reorder after a failure).
     */
    readonly maxAckPending?: number;
  };
}

/** Subscribe options of the NATS transport. */
export interface NatsSubscribeOptions extends TransportSubscribeOptions {
  /** JetStream: a durable consumer of this name, which resumes where it stopped (a queue group is one too). */
  readonly durable?: string;
}

/** The NATS transport; `connection` is the NATS connection it uses. */
export interface NatsTransport extends Transport {
  /** The NATS connection it uses (the v3 client's `NatsConnection`). */
  readonly connection: NatsConnectionLike;
  subscribe(
    topic: string,
    handler: TransportHandler,
    options?: NatsSubscribeOptions,
  ): Promise<TransportSubscription>;
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
  /** Ends every subscription, waiting for the envelopes in hand; closes a connection it opened. */
  close(): Promise<void>;
}

/** One subscription's state, whichever way messages come in. */
interface Running {
  closed: boolean;
  /** The delivery in hand, if any. */
  current: Promise<void> | undefined;
  wake: (() => void) | undefined;
  close(): Promise<void>;
}

function closedError(action: string): WhizbangError {
  return new WhizbangError(
    'CLOSED',
    `Cannot ${action}: this NATS transport is closed. Create a new one with natsTransport().`,
  );
}

/** Connects and returns a transport over core NATS, or JetStream when `jetstream` is given. */
export async function natsTransport(options: NatsTransportOptions = {}): Promise<NatsTransport> {
  const codec = options.codec ?? binaryCodec();
  const attempts = wholeOption('redelivery.attempts', options.redelivery?.attempts, 5, 1);
  const backoffMs = options.redelivery?.backoffMs ?? 100;
  if (!Number.isFinite(backoffMs) || backoffMs < 0) {
    throw invalidArgument(`"redelivery.backoffMs" must be a number ≥ 0, got ${backoffMs}.`);
  }
  const durable = options.jetstream;
  const prefix = options.prefix ?? (durable === undefined ? '' : 'whizbang');
  if (prefix !== '') checkTopic(prefix, 'publish');
  const dlq = options.deadLetterSubject ?? 'whizbang.dlq';
  checkTopic(dlq, 'publish');
  const ackWaitMs = wholeOption('jetstream.ackWaitMs', durable?.ackWaitMs, 30_000, 1);
  const maxAckPending = wholeOption('jetstream.maxAckPending', durable?.maxAckPending, 1, 1);
  const streamName = natsName(durable?.stream ?? 'WHIZBANG', 'jetstream.stream');

  const { connection: nc, owned } = await connectNats(options);
  const core = await import('@nats-io/nats-core');
  let js: JetStreamClient | undefined;
  let jsm: JetStreamManager | undefined;
  if (durable !== undefined) {
    ({ js, jsm } = await loadJetStream(nc));
    await ensureStream(jsm, { name: streamName, subjects: [`${prefix}.>`] });
  }
  const subjectOf = (topic: string): string => (prefix === '' ? topic : `${prefix}.${topic}`);
  const topicOf = (subject: string): string =>
    prefix === '' ? subject : subject.slice(prefix.length + 1);

  const running = new Set<Running>();
  let closed = false;
  const requests = natsRequests({
    nc,
    core,
    codec,
    // requests stay out of the JetStream stream, which takes every subject under the prefix
    prefix: durable === undefined ? prefix : `${prefix}_rpc`,
    guard: (action) => {
      if (closed) throw closedError(action);
    },
  });

  // Core publishes wait for the next macrotask and go out together: the client flushes its
  // socket on a microtask, so a publisher that awaits each publish would write once per envelope.
  let outgoing: Array<{ subject: string; data: Uint8Array; headers: MsgHdrs | undefined }> = [];
  const sendOutgoing = (): void => {
    const batch = outgoing;
    outgoing = [];
    for (const { subject, data, headers } of batch) {
      try {
        nc.publish(subject, data, headers === undefined ? undefined : { headers });
      } catch {
        // the connection closed under it: core NATS is at most once
      }
    }
  };

  const deadLetter = (
    topic: string,
    data: Uint8Array,
    envelope: WireEnvelope | undefined,
    error: unknown,
    deliveries: number,
  ): void => {
    try {
      const h = core.headers();
      h.set('Whizbang-Topic', topic);
      h.set('Whizbang-Error-Code', isWhizbangError(error) ? error.code : 'HANDLER_FAILED');
      h.set(
        'Whizbang-Error',
        (error instanceof Error ? error.message : String(error)).replace(/[\r\n]+/g, ' '),
      );
      h.set('Whizbang-Deliveries', String(deliveries));
      nc.publish(`${dlq}.${topic}`, data, { headers: h });
    } catch {
      // the connection is closing: the envelope stays unacked and comes back (JetStream)
    }
    try {
      options.onDeadLetter?.({ topic, error, envelope, data, deliveries });
    } catch {
      // the dead letter is the last stop: nothing is left to report its failure to
    }
  };

  /** Decodes, or dead-letters what is not an envelope. */
  const decode = (
    topic: string,
    data: Uint8Array,
    deliveries: number,
  ): WireEnvelope | undefined => {
    try {
      return codec.decode(data);
    } catch (error) {
      deadLetter(topic, data, undefined, error, deliveries);
      return undefined;
    }
  };

  /** Core NATS: a local queue per subscription, handled one at a time with retries. */
  const coreSubscribe = async (
    subject: string,
    handler: TransportHandler,
    queue: string | undefined,
  ): Promise<Running> => {
    const inbox: Msg[] = [];
    let head = 0;
    let sub: Subscription | undefined;
    const run: Running = {
      closed: false,
      current: undefined,
      wake: undefined,
      async close() {
        if (run.closed) return run.current;
        run.closed = true;
        running.delete(run);
        sub?.unsubscribe();
        inbox.length = 0;
        head = 0;
        run.wake?.();
        await run.current;
      },
    };
    /** Delivers one message; returns nothing when the handler settled at once (the fast path). */
    const deliver = (msg: Msg): Promise<void> | undefined => {
      const topic = topicOf(msg.subject);
      const envelope = decode(topic, msg.data, 1);
      if (envelope === undefined) return undefined;
      let result: unknown;
      try {
        result = handler(envelope, topic);
      } catch (error) {
        return retry(msg, topic, error);
      }
      if (typeof (result as PromiseLike<void> | undefined)?.then !== 'function') return undefined;
      return Promise.resolve(result).then(
        () => undefined,
        (error: unknown) => retry(msg, topic, error),
      );
    };
    /** Core NATS does not redeliver: a failed handler is tried again here, then dead-lettered. */
    const retry = async (msg: Msg, topic: string, first: unknown): Promise<void> => {
      let error = first;
      for (let attempt = 1; ; attempt++) {
        if (run.closed) return;
        if (attempt >= attempts) {
          deadLetter(topic, msg.data, codec.decode(msg.data), error, attempt);
          return;
        }
        await backoffSleep(run, backoffMs * 2 ** (attempt - 1));
        if (run.closed) return;
        try {
          await handler(codec.decode(msg.data), topic);
          return;
        } catch (failed) {
          error = failed;
        }
      }
    };
    let pumping = false;
    const pump = async (): Promise<void> => {
      pumping = true;
      try {
        while (!run.closed && head < inbox.length) {
          const pending = deliver(inbox[head++]!);
          if (pending !== undefined) await pending;
          if (head > 1024 && head * 2 > inbox.length) {
            inbox.splice(0, head);
            head = 0;
          }
        }
      } finally {
        pumping = false;
      }
    };
    sub = nc.subscribe(subject, {
      ...(queue === undefined ? {} : { queue }),
      callback: (_error, msg) => {
        if (run.closed) return;
        inbox.push(msg);
        if (!pumping) run.current = pump();
      },
    });
    await nc.flush();
    return run;
  };

  /** JetStream: a consumer with explicit acks; the server redelivers, the dead letter ends it. */
  const jetStreamSubscribe = async (
    subject: string,
    handler: TransportHandler,
    name: string | undefined,
  ): Promise<Running> => {
    const consumerName = name ?? `wb_${core.nuid.next()}`;
    await jsm!.consumers.add(streamName, {
      durable_name: consumerName,
      filter_subject: subject,
      ack_policy: 'explicit' as never,
      deliver_policy: 'new' as never,
      ack_wait: ackWaitMs * 1_000_000,
      max_ack_pending: maxAckPending,
      // a plain subscription's consumer goes away on its own if this process dies
      ...(name === undefined ? { inactive_threshold: 60_000 * 1_000_000 } : {}),
    });
    const consumer = await js!.consumers.get(streamName, consumerName);
    const messages: ConsumerMessages = await consumer.consume({ max_messages: maxAckPending });
    const handle = async (m: JsMsg): Promise<void> => {
      const topic = topicOf(m.subject);
      const deliveries = m.info.deliveryCount;
      const envelope = decode(topic, m.data, deliveries);
      if (envelope === undefined) {
        m.term();
        return;
      }
      try {
        await handler(envelope, topic);
        m.ack();
      } catch (error) {
        if (deliveries >= attempts) {
          deadLetter(topic, m.data, codec.decode(m.data), error, deliveries);
          m.term();
        } else if (!run.closed) m.nak(backoffMs * 2 ** (deliveries - 1));
      }
    };
    const run: Running = {
      closed: false,
      current: undefined,
      wake: undefined,
      async close() {
        if (run.closed) return;
        run.closed = true;
        running.delete(run);
        await messages.close().catch(() => undefined);
        await loop;
        if (name === undefined) {
          await jsm!.consumers.delete(streamName, consumerName).catch(() => undefined);
        }
      },
    };
    const loop = (async () => {
      for await (const m of messages) {
        if (run.closed) break;
        run.current = handle(m);
        await run.current;
        run.current = undefined;
      }
    })().catch(() => undefined);
    return run;
  };

  // traceparent travels in the headers, so tracing tools see it without decoding the envelope
  const publishHeaders = (envelope: WireEnvelope): MsgHdrs | undefined => {
    if (typeof envelope.traceparent !== 'string' || envelope.traceparent === '') return undefined;
    const h = core.headers();
    h.set('traceparent', envelope.traceparent);
    return h;
  };

  // topics already checked (publishers repeat a few topics)
  const checked = new Set<string>();
  const checkPublishTopic = (topic: string): void => {
    if (checked.has(topic)) return;
    checkTopic(topic, 'publish');
    if (checked.size >= 1024) checked.clear();
    checked.add(topic);
  };

  return {
    name: durable === undefined ? 'nats' : 'nats-jetstream',
    connection: nc,

    publish(topic: string, envelope: WireEnvelope): Promise<void> | undefined {
      if (closed) throw closedError(`publish to "${topic}"`);
      checkPublishTopic(topic);
      let data: Uint8Array;
      try {
        data = codec.encode(envelope);
      } catch (error) {
        if (isWhizbangError(error) && error.code === 'INVALID_ARGUMENT') {
          throw new WhizbangError('INVALID_ARGUMENT', `publish("${topic}", …): ${error.message}`, {
            cause: error,
          });
        }
        throw error;
      }
      const headers = publishHeaders(envelope);
      if (js === undefined) {
        const max = nc.info?.max_payload;
        if (max !== undefined && data.length > max) {
          throw new WhizbangError(
            'INVALID_ARGUMENT',
            `publish("${topic}", …): the envelope is ${data.length} bytes, over the server's max_payload of ${max}. Send large content elsewhere and reference it.`,
          );
        }
        if (nc.isClosed()) throw closedError(`publish to "${topic}"`);
        outgoing.push({ subject: subjectOf(topic), data, headers });
        if (outgoing.length === 1) later(sendOutgoing);
        else if (outgoing.length >= 256) sendOutgoing(); // a socket write per 256 is enough
        return undefined;
      }
      return js
        .publish(subjectOf(topic), data, {
          ...(headers === undefined ? {} : { headers }),
          // one envelope may go to several topics: deduplicated per topic, not across them
          msgID: `${envelope.messageId}:${hash(topic)}`,
        })
        .then(() => undefined);
    },

    async subscribe(
      topic: string,
      handler: TransportHandler,
      subscribeOptions: NatsSubscribeOptions = {},
    ): Promise<TransportSubscription> {
      if (closed) throw closedError(`subscribe to "${topic}"`);
      checkTopic(topic, 'subscribe');
      if (typeof handler !== 'function') {
        throw invalidArgument(`subscribe("${topic}", …) needs a handler function.`);
      }
      const { queue, durable: named } = subscribeOptions;
      checkQueue(queue);
      if (named !== undefined) natsName(named, 'durable');
      const subject = subjectOf(topic);
      const run =
        js === undefined
          ? await coreSubscribe(subject, handler, queue)
          : await jetStreamSubscribe(
              subject,
              handler,
              // groups of one name on different topics are different consumers
              (named ?? queue) === undefined
                ? undefined
                : safeName(`${named ?? queue}_${hash(subject)}`),
            );
      if (closed) {
        await run.close();
        throw closedError(`subscribe to "${topic}"`);
      }
      running.add(run);
      return { close: () => run.close() };
    },

    request: requests.request,
    respond: requests.respond,

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      sendOutgoing();
      await Promise.all([...running].map((run) => run.close()).concat(requests.close()));
      if (owned) await nc.close();
    },
  };
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

/** A short stable hash of a subject, to tell consumers of one group on different topics apart. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}
