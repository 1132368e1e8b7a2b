/**
 * The NATS transport. Core NATS by default: subjects are topics, queue groups are competing
 * consumers, and a failed handler is retried here with backoff (core NATS does not redeliver).
 * With `jetstream`, envelopes are stored in a stream and every subscription is a consumer with
 * explicit acks: the server redelivers what was not acked, a queue group (or a `durable` name) is a
 * durable consumer that resumes where it stopped after a restart, and `max_ack_pending = 1` keeps
 * each subscription's order. After the last attempt an envelope, or a message that is not an
 * envelope, is published to the dead-letter subject (JetStream itself only raises an advisory).
 * Request/reply (`request`, `respond`) is core NATS in both modes.
 *
 * The parts, in `./transport/`: `settings` (options checked once), `publish`, `core-subscribe` and
 * `jetstream-subscribe` (the two ways in), `dead-letter`, `requests`; this file wires them together.
 */

import { checkQueue, checkTopic, invalidArgument } from '../../js/kit/mod.ts';
import type {
  Transport,
  TransportHandler,
  TransportRequestOptions,
  TransportResponder,
  TransportSubscribeOptions,
  TransportSubscription,
  WireEnvelope,
} from '../../js/mod.ts';
import { connectNats, type NatsConnectionLike } from './connect.ts';
import { ensureStream, loadJetStream, natsName, safeName, shortHash } from './jetstream.ts';
import { coreSubscribe } from './transport/core-subscribe.ts';
import { DeadLetters } from './transport/dead-letter.ts';
import { jetStreamSubscribe, type TransportJetStream } from './transport/jetstream-subscribe.ts';
import { Publisher } from './transport/publish.ts';
import { natsRequests } from './transport/requests.ts';
import type { Running, SubscribeContext } from './transport/running.ts';
import {
  closedError,
  type NatsTransportOptions,
  subjectsUnder,
  transportSettings,
} from './transport/settings.ts';

/** Subscribe options of the NATS transport. */
export interface NatsSubscribeOptions extends TransportSubscribeOptions {
  /** JetStream: a durable consumer of this name, which resumes where it stopped (a queue group is one too). */
  readonly durable?: string;
}

/** The NATS transport; `connection` is the NATS connection it uses. */
export interface NatsTransport extends Transport {
  /** The NATS connection it uses (the v3 client's `NatsConnection`). */
  readonly connection: NatsConnectionLike;
  /** Delivers every envelope published on `topic` (NATS wildcards allowed) to `handler`. */
  subscribe(
    topic: string,
    handler: TransportHandler,
    options?: NatsSubscribeOptions,
  ): Promise<TransportSubscription>;
  /** Sends an envelope to the one responder of `topic` and resolves its reply. */
  request(
    topic: string,
    envelope: WireEnvelope,
    options?: TransportRequestOptions,
  ): Promise<unknown>;
  /** Answers requests on `topic` with what `responder` returns. */
  respond(
    topic: string,
    responder: TransportResponder,
    options?: TransportSubscribeOptions,
  ): Promise<TransportSubscription>;
  /** Ends every subscription, waiting for the envelopes in hand; closes a connection it opened. */
  close(): Promise<void>;
}

/** Connects and returns a transport over core NATS, or JetStream when `jetstream` is given. */
export async function natsTransport(options: NatsTransportOptions = {}): Promise<NatsTransport> {
  const settings = transportSettings(options);
  const { codec, prefix } = settings;
  const { connection: nc, owned } = await connectNats(options);
  const core = await import('@nats-io/nats-core');
  let jet: TransportJetStream | undefined;
  if (settings.jetstream !== undefined) {
    const { js, jsm } = await loadJetStream(nc);
    await ensureStream(jsm, { name: settings.jetstream.streamName, subjects: [`${prefix}.>`] });
    jet = { js, jsm, settings: settings.jetstream };
  }
  const subjects = subjectsUnder(prefix);

  const running = new Set<Running>();
  let closed = false;
  const requests = natsRequests({
    nc,
    core,
    codec,
    // requests stay out of the JetStream stream, which takes every subject under the prefix
    prefix: jet === undefined ? prefix : `${prefix}_rpc`,
    guard: (action) => {
      if (closed) throw closedError(action);
    },
  });
  const publisher = new Publisher({ nc, core, codec, subjects, js: jet?.js });
  const subscribing: SubscribeContext = {
    nc,
    core,
    settings,
    deadLetters: new DeadLetters(nc, core, settings),
    topicOf: subjects.topicOf,
    ended: (run) => running.delete(run),
  };

  return {
    name: jet === undefined ? 'nats' : 'nats-jetstream',
    connection: nc,

    publish(topic: string, envelope: WireEnvelope): Promise<void> | undefined {
      if (closed) throw closedError(`publish to "${topic}"`);
      return publisher.publish(topic, envelope);
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
      const subject = subjects.subjectOf(topic);
      const run =
        jet === undefined
          ? await coreSubscribe(subscribing, subject, handler, queue)
          : await jetStreamSubscribe(
              subscribing,
              jet,
              subject,
              handler,
              // groups of one name on different topics are different consumers
              (named ?? queue) === undefined
                ? undefined
                : safeName(`${named ?? queue}_${shortHash(subject)}`),
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
      publisher.flush();
      await Promise.all([...running].map((run) => run.close()).concat(requests.close()));
      if (owned) await nc.close();
    },
  };
}
