/**
 * The answering side of request/reply: a queue bound to the requests exchange, consumed on a
 * channel of its own. Members of a queue group share an auto-delete queue (the broker hands each
 * request to one of them); a responder without one has an exclusive queue, so every such responder
 * answers and the first answer wins. The queues go with their responders, so a request nobody can
 * take is returned to the requester (`NO_RESPONDER`) instead of waiting in a queue. Each answer
 * (a value, or an error with its code) goes back as JSON to the request's `replyTo`; the request is
 * acked once answered, and `respondConcurrency` bounds how many are answered at once.
 */

import type { AMQPBaseClient, AMQPChannel, AMQPMessage } from '@cloudamqp/amqp-client';
import { encodeReply, replyOf } from '../../../js/kit/mod.ts';
import type { TransportResponder } from '../../../js/mod.ts';
import type { ConnectionPart, RabbitConnection } from '../connection.ts';
import { refused } from '../refused.ts';
import { type Binding, groupQueueName } from '../topology.ts';
import { gatherWrites } from '../writes.ts';
import type { TransportSettings } from './settings.ts';

/** One `respond` registration. */
export class Responder implements ConnectionPart {
  readonly #connection: RabbitConnection;
  readonly #settings: TransportSettings;
  readonly #responder: TransportResponder;
  readonly #binding: Binding;
  readonly #group: string | undefined;
  readonly #answering = new Set<Promise<void>>();
  #channel: AMQPChannel | undefined;
  #tag: string | undefined;
  #queue = '';
  #closed = false;
  readonly #ended: (responder: Responder) => void;

  constructor(
    connection: RabbitConnection,
    settings: TransportSettings,
    target: { topic: string; binding: Binding; group: string | undefined },
    responder: TransportResponder,
    ended: (responder: Responder) => void,
  ) {
    this.#connection = connection;
    this.#settings = settings;
    this.#responder = responder;
    this.#binding = target.binding;
    this.#group =
      target.group === undefined
        ? undefined
        : groupQueueName(settings.topology.requests, target.group, target.topic);
    this.#ended = ended;
  }

  /** Starts answering on the live connection; refusals become Whizbang errors. */
  async start(action: string): Promise<void> {
    const client = this.#connection.client;
    if (client === undefined) throw this.#connection.down(action);
    this.#connection.add(this);
    try {
      await this.restore(client);
    } catch (error) {
      this.#closed = true;
      this.#connection.remove(this);
      await this.#channel?.close().catch(() => undefined);
      throw refused(error, action, this.#connection);
    }
  }

  async restore(client: AMQPBaseClient): Promise<void> {
    if (this.#closed) return;
    const channel = await client.channel();
    this.#channel = channel;
    channel.onerror = () => undefined; // the connection's loss restores it
    const group = this.#group;
    const declared = await channel.queueDeclare(
      group ?? '',
      group === undefined ? { exclusive: true, autoDelete: true } : { autoDelete: true },
    );
    this.#queue = declared.name;
    await channel.queueBind(declared.name, this.#settings.topology.requests, this.#binding.key);
    await channel.basicQos(this.#settings.respondConcurrency);
    const consumer = await channel.basicConsume(declared.name, { noAck: false }, (msg) =>
      this.#answer(channel, msg),
    );
    this.#tag = consumer.tag;
  }

  lost(): void {
    this.#channel = undefined;
    this.#tag = undefined;
  }

  /** Stops taking requests, sends the answers in hand, and lets its queue go. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#ended(this);
    this.#connection.remove(this);
    const channel = this.#channel;
    if (channel !== undefined && this.#tag !== undefined && !channel.closed) {
      await channel.basicCancel(this.#tag).catch(() => undefined);
    }
    await Promise.all(this.#answering);
    if (channel === undefined || channel.closed) return;
    // a group's queue goes with its last member (auto-delete); a plain one's now
    await channel.queueDelete(this.#queue, { ifUnused: true }).catch(() => undefined);
    await channel.close().catch(() => undefined);
  }

  #answer(channel: AMQPChannel, msg: AMQPMessage): void {
    if (this.#closed) return; // unacked: back to the queue for another member
    const { replyTo, correlationId } = msg.properties;
    if (replyTo === undefined || replyTo === '') {
      msg.ack().catch(() => undefined); // not a request
      return;
    }
    const topic = msg.routingKey;
    const { codec } = this.#settings;
    const done = replyOf(() => this.#responder(codec.decode(msg.body as Uint8Array), topic)).then(
      async (reply) => {
        if (channel.closed) return; // the requester hears UNAVAILABLE or REQUEST_TIMEOUT
        gatherWrites(channel); // the answer and the ack in one write
        const answered = channel
          .basicPublish('', replyTo, encodeReply(reply, topic), {
            contentType: 'application/json',
            ...(correlationId === undefined ? {} : { correlationId }),
          })
          .catch(() => undefined);
        await Promise.all([answered, msg.ack().catch(() => undefined)]);
      },
    );
    this.#answering.add(done);
    void done.finally(() => this.#answering.delete(done));
  }
}
