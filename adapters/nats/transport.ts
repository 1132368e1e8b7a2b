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

import type { NatsConnection } from '@nats-io/nats-core';
import { checkQueue, checkTopic, invalidArgument } from '../../js/kit/mod.ts';
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
import type { NatsConnectionLike } from './connect.ts';
import { ensureStream, loadJetStream, natsName, safeName, shortHash } from './jetstream.ts';
import { coreSubscribe } from './transport/core-subscribe.ts';
import { DeadLetters } from './transport/dead-letter.ts';
import { jetStreamSubscribe, type TransportJetStream } from './transport/jetstream-subscribe.ts';
import { Link, type NatsTransportStatus } from './transport/link.ts';
import { Publisher } from './transport/publish.ts';
import { type NatsRequests, natsRequests } from './transport/requests.ts';
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
  /** The NATS connection it uses (the v3 client's `NatsConnection`); `UNAVAILABLE` before it has one. */
  readonly connection: NatsConnectionLike;
  /** Where its connection is: `connecting` (the server was not there yet), `connected`, `reconnecting`, `closed`. */
  readonly status: NatsTransportStatus;
  /** Resolves once it is connected (at once when it is); rejects with `CLOSED` if it closes first. */
  ready(): Promise<void>;
  /** Resolves once what was published so far reached the server (core NATS publishes go out on the next tick). */
  flush(): Promise<void>;
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

/** What the transport builds on its connection. */
interface Parts {
  readonly nc: NatsConnection;
  readonly jet: TransportJetStream | undefined;
  readonly publisher: Publisher;
  readonly requests: NatsRequests;
  readonly subscribing: SubscribeContext;
}

/**
 * Connects and returns a transport over core NATS, or JetStream when `jetstream` is given. A server
 * that is not there yet is waited for in the background (see `status`); refused credentials and
 * bad options fail at once, and so does an unreachable server with `reconnect: { attempts: 0 }`.
 */
export async function natsTransport(options: NatsTransportOptions = {}): Promise<NatsTransport> {
  const settings = transportSettings(options);
  const { codec, prefix } = settings;
  const subjects = subjectsUnder(prefix);
  const running = new Set<Running>();
  let closed = false;
  const guard = (action: string): void => {
    if (closed) throw closedError(action);
  };
  const build = async (nc: NatsConnection): Promise<Parts> => {
    const core = await import('@nats-io/nats-core');
    let jet: TransportJetStream | undefined;
    if (settings.jetstream !== undefined) {
      const { js, jsm } = await loadJetStream(nc);
      await ensureStream(jsm, {
        name: settings.jetstream.streamName,
        subjects: [`${prefix}.>`],
        ...(settings.jetstream.replicas === 1 ? {} : { num_replicas: settings.jetstream.replicas }),
      });
      jet = { js, jsm, settings: settings.jetstream };
    }
    return {
      nc,
      jet,
      // requests stay out of the JetStream stream, which takes every subject under the prefix
      requests: natsRequests({
        nc,
        core,
        codec,
        prefix: jet === undefined ? prefix : `${prefix}_rpc`,
        guard,
      }),
      publisher: new Publisher({ nc, core, codec, subjects, js: jet?.js }),
      subscribing: {
        nc,
        core,
        settings,
        deadLetters: new DeadLetters(nc, core, settings),
        topicOf: subjects.topicOf,
        ended: (run) => running.delete(run),
      },
    };
  };
  let built: Parts | undefined;
  const link = await Link.open(
    options,
    async (nc) => {
      built = await build(nc);
      return built;
    },
    {
      onStatus: (status) => {
        // what waits for the server's confirmation on a connection that went away fails now
        if (status !== 'connected') built?.publisher.abandon();
        options.onStatus?.(status);
      },
      onError: settings.onError,
    },
  );
  const connected = (action: string): Parts => {
    guard(action);
    const parts = link.parts;
    if (parts === undefined || !link.connected) throw notConnected(action, link.status);
    return parts;
  };

  /**
   * Subscribes now when connected; otherwise (or when the connection drops on the way) resolves at
   * once and subscribes as soon as the transport is connected, trying again while the server is
   * away. Any other failure then goes to onError.
   */
  const whenReady = async (
    what: string,
    start: (parts: Parts) => Promise<TransportSubscription>,
  ): Promise<TransportSubscription> => {
    // a failure of the connection under the call (its status may not say so yet) is UNAVAILABLE
    const attempt = async (parts: Parts): Promise<TransportSubscription> => {
      try {
        return await start(parts);
      } catch (error) {
        if (isWhizbangError(error) || !connectionTrouble(error)) throw error;
        throw notConnected(what, link.status, error);
      }
    };
    if (link.connected && link.parts !== undefined) {
      try {
        return await attempt(link.parts);
      } catch (error) {
        if (!isWhizbangError(error, 'UNAVAILABLE')) throw error;
      }
    }
    let cancelled = false;
    const later = (async (): Promise<TransportSubscription | undefined> => {
      for (;;) {
        const parts = await link.whenConnected();
        if (cancelled || closed) return undefined;
        try {
          return await attempt(parts);
        } catch (error) {
          if (!isWhizbangError(error, 'UNAVAILABLE')) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    })();
    later.catch((error: unknown) => {
      if (!closed && !isWhizbangError(error, 'CLOSED')) settings.onError?.(error);
    });
    return {
      async close() {
        cancelled = true;
        await (await later.catch(() => undefined))?.close();
      },
    };
  };

  const subscribeOn = async (
    parts: Parts,
    topic: string,
    subject: string,
    handler: TransportHandler,
    queue: string | undefined,
    named: string | undefined,
  ): Promise<TransportSubscription> => {
    let run: Running;
    try {
      run =
        parts.jet === undefined
          ? await coreSubscribe(parts.subscribing, subject, handler, queue)
          : await jetStreamSubscribe(
              parts.subscribing,
              parts.jet,
              subject,
              handler,
              // groups of one name on different topics are different consumers
              (named ?? queue) === undefined
                ? undefined
                : safeName(`${named ?? queue}_${shortHash(subject)}`),
            );
    } catch (error) {
      throw isWhizbangError(error)
        ? error
        : notConnected(`subscribe to "${topic}"`, link.status, error);
    }
    if (closed) {
      await run.close();
      throw closedError(`subscribe to "${topic}"`);
    }
    running.add(run);
    return { close: () => run.close() };
  };

  return {
    name: settings.jetstream === undefined ? 'nats' : 'nats-jetstream',

    get connection(): NatsConnectionLike {
      const parts = link.parts;
      if (parts === undefined) throw notConnected('use its connection', link.status);
      return parts.nc;
    },

    get status(): NatsTransportStatus {
      return link.status;
    },

    async ready(): Promise<void> {
      await link.ready();
    },

    publish(topic: string, envelope: WireEnvelope): Promise<void> | undefined {
      return connected(`publish to "${topic}"`).publisher.publish(topic, envelope);
    },

    async flush(): Promise<void> {
      const parts = connected('flush');
      if (parts.jet !== undefined) return; // JetStream publishes resolve once stored
      parts.publisher.flush();
      try {
        await parts.nc.flush();
      } catch (cause) {
        throw new WhizbangError(
          'UNAVAILABLE',
          'The NATS server did not confirm what was published (the connection went away); publish it again.',
          { cause },
        );
      }
    },

    async subscribe(
      topic: string,
      handler: TransportHandler,
      subscribeOptions: NatsSubscribeOptions = {},
    ): Promise<TransportSubscription> {
      guard(`subscribe to "${topic}"`);
      checkTopic(topic, 'subscribe');
      if (typeof handler !== 'function') {
        throw invalidArgument(`subscribe("${topic}", …) needs a handler function.`);
      }
      const { queue, durable: named } = subscribeOptions;
      checkQueue(queue);
      if (named !== undefined) natsName(named, 'durable');
      const subject = subjects.subjectOf(topic);
      return whenReady(`subscribe to "${topic}"`, (parts) =>
        subscribeOn(parts, topic, subject, handler, queue, named),
      );
    },

    request(topic, envelope, requestOptions) {
      try {
        return connected(`send a request to "${topic}"`).requests.request(
          topic,
          envelope,
          requestOptions,
        );
      } catch (error) {
        return Promise.reject(error);
      }
    },

    async respond(topic, responder, respondOptions) {
      guard(`answer requests on "${topic}"`);
      return whenReady(`answer requests on "${topic}"`, (parts) =>
        parts.requests.respond(topic, responder, respondOptions),
      );
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const parts = link.parts;
      parts?.publisher.flush();
      await Promise.all(
        [...running].map((run) => run.close()).concat(parts?.requests.close() ?? []),
      );
      await link.close();
    },
  };
}

/** Whether a raw error of the NATS client says the connection failed under a call. */
function connectionTrouble(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return /disconnect|connection|closed|timeout|no responders|503/i.test(text);
}

/** The UNAVAILABLE error of a transport asked to `action` while it has no connection. */
function notConnected(action: string, status: NatsTransportStatus, cause?: unknown): WhizbangError {
  const why =
    cause === undefined ? '' : ` (${cause instanceof Error ? cause.message : String(cause)})`;
  return new WhizbangError(
    'UNAVAILABLE',
    `Cannot ${action}: the NATS transport is not connected (it is ${status})${why}. It connects by itself when the server is back; try again then (the outbox relay does).`,
    { cause },
  );
}
