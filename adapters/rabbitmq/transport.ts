/**
 * The RabbitMQ transport. Topics are routing keys on a topic exchange; a subscription is a queue
 * bound with the topic (a queue group's shared by its members, who compete for its envelopes);
 * deliveries are acked after the handler, `prefetch` bounds what a subscription holds, a failed
 * handler is tried again with backoff and then dead-lettered, and the connection comes back by
 * itself with the topology and the subscriptions declared again. Request/reply is direct reply-to.
 *
 * The parts, in `./transport/`: `settings` (options checked once, the queues they make),
 * `publish`, `subscribe` and `delivery` (the way in), `dead-letter`, `requests` and `respond`;
 * `../connection.ts` keeps the connection up; this file wires them together.
 */

import { checkQueue, checkTopic, invalidArgument } from '../../js/kit/mod.ts';
import type { Transport, TransportSubscription, WireEnvelope } from '../../js/mod.ts';
import { closedError, RabbitConnection } from './connection.ts';
import { bindingOf, groupQueueName, plainQueueName } from './topology.ts';
import { DeadLetters } from './transport/dead-letter.ts';
import { Publisher } from './transport/publish.ts';
import { Requester } from './transport/requests.ts';
import { Responder } from './transport/respond.ts';
import {
  type RabbitTransportOptions,
  subscriptionQueue,
  transportSettings,
} from './transport/settings.ts';
import { Consumer } from './transport/subscribe.ts';

/** The RabbitMQ transport: request/reply included. */
export interface RabbitTransport extends Transport {
  /** `'rabbitmq'`, or `'rabbitmq-fire-and-forget'`. */
  readonly name: string;
  /** The exchange envelopes are published to. */
  readonly exchange: string;
  /** Resolves once the broker confirmed the envelope (reliable) or it is written (fire-and-forget). */
  publish(topic: string, envelope: WireEnvelope): Promise<void>;
  /** Sends a request to the responders of a topic and resolves with the first answer (see {@link Transport.request}). */
  readonly request: NonNullable<Transport['request']>;
  /** Answers the requests of a topic, one queue group sharing them (see {@link Transport.respond}). */
  readonly respond: NonNullable<Transport['respond']>;
  /** Ends every subscription and responder, waiting for what they hold; closes the connection. */
  close(): Promise<void>;
}

/** Connects, declares the topology and returns the transport (see {@link RabbitTransportOptions}). */
export async function rabbitmqTransport(
  options: RabbitTransportOptions = {},
): Promise<RabbitTransport> {
  const settings = transportSettings(options);
  const { topology } = settings;
  const connection = await RabbitConnection.open(options);
  const publisher = new Publisher(connection, settings);
  try {
    await publisher.restore(connection.client!);
  } catch (error) {
    await connection.close();
    throw error;
  }
  connection.add(publisher);
  const deadLetters = new DeadLetters(publisher, settings.onDeadLetter);
  const requester = new Requester(connection, settings);
  connection.add(requester);
  const open = new Set<{ close(): Promise<void> }>();
  let closed = false;
  const guard = (action: string): void => {
    if (closed) throw closedError(action);
  };
  const ended = (part: { close(): Promise<void> }): void => {
    open.delete(part);
  };

  return {
    name: settings.reliable ? 'rabbitmq' : 'rabbitmq-fire-and-forget',
    exchange: topology.exchange,

    publish(topic: string, envelope: WireEnvelope): Promise<void> {
      try {
        guard(`publish to "${topic}"`);
        return publisher.publish(topic, envelope);
      } catch (error) {
        return Promise.reject(error);
      }
    },

    async subscribe(topic, handler, subscribeOptions = {}): Promise<TransportSubscription> {
      const action = `subscribe to "${topic}"`;
      guard(action);
      const binding = bindingOf(checkTopic(topic, 'subscribe'));
      if (typeof handler !== 'function') {
        throw invalidArgument(`subscribe("${topic}", …) needs a handler function.`);
      }
      const { queue } = subscribeOptions;
      checkQueue(queue);
      const spec = subscriptionQueue(
        settings,
        queue === undefined ? undefined : groupQueueName(topology.exchange, queue, topic),
        () => plainQueueName(topology.exchange),
      );
      const consumer = new Consumer(
        { connection, settings, deadLetters, ended },
        spec,
        binding,
        handler,
      );
      await consumer.start(action);
      open.add(consumer);
      if (closed) {
        await consumer.close();
        guard(action);
      }
      return { close: () => consumer.close() };
    },

    async request(topic, envelope, requestOptions): Promise<unknown> {
      guard(`send a request to "${topic}"`);
      return requester.request(topic, envelope, requestOptions);
    },

    async respond(topic, responder, respondOptions = {}): Promise<TransportSubscription> {
      const action = `answer requests on "${topic}"`;
      guard(action);
      const binding = bindingOf(checkTopic(topic, 'subscribe'));
      if (typeof responder !== 'function') {
        throw invalidArgument(`respond("${topic}", …) needs a responder function.`);
      }
      checkQueue(respondOptions.queue);
      const target = { topic, binding, group: respondOptions.queue };
      const answering = new Responder(connection, settings, target, responder, ended);
      await answering.start(action);
      open.add(answering);
      if (closed) {
        await answering.close();
        guard(action);
      }
      return { close: () => answering.close() };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all([...open].map((part) => part.close()));
      await requester.close();
      await publisher.close();
      await connection.close();
    },
  };
}
