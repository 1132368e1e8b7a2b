/**
 * The requesting side of request/reply, over RabbitMQ's direct reply-to: one channel consumes
 * `amq.rabbitmq.reply-to` (no queue is declared for answers) and publishes each request to the
 * requests exchange with `mandatory`, a correlation id and an expiration of its timeout. A request
 * no queue is bound for comes back from the broker: `NO_RESPONDER`; no answer in time:
 * `REQUEST_TIMEOUT`; a connection lost before the answer: `UNAVAILABLE` (the answer cannot find
 * its way back to a new connection).
 */

import type { AMQPBaseClient, AMQPChannel, AMQPMessage } from '@cloudamqp/amqp-client';
import {
  answerOf,
  checkTopic,
  decodeReply,
  noResponder,
  requestTimeout,
  wholeOption,
} from '../../../js/kit/mod.ts';
import type { TransportRequestOptions, WhizbangError, WireEnvelope } from '../../../js/mod.ts';
import { type ConnectionPart, closedError, type RabbitConnection } from '../connection.ts';
import { checkRoutingKey } from '../topology.ts';
import { gatherWrites } from '../writes.ts';
import type { TransportSettings } from './settings.ts';

const REPLY_TO = 'amq.rabbitmq.reply-to';
const decoder = new TextDecoder();

interface Pending {
  readonly topic: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** Sends requests and matches the answers to them. */
export class Requester implements ConnectionPart {
  readonly #connection: RabbitConnection;
  readonly #settings: TransportSettings;
  readonly #pending = new Map<string, Pending>();
  #channel: Promise<AMQPChannel> | undefined;
  #sent = 0;
  #closed = false;

  constructor(connection: RabbitConnection, settings: TransportSettings) {
    this.#connection = connection;
    this.#settings = settings;
  }

  /** Sends `envelope` to whoever answers on `topic`; see the module for what it rejects with. */
  async request(
    topic: string,
    envelope: WireEnvelope,
    options: TransportRequestOptions = {},
  ): Promise<unknown> {
    const action = `send a request to "${topic}"`;
    if (this.#closed) throw closedError(action);
    checkTopic(topic, 'publish');
    checkRoutingKey(topic);
    const timeoutMs = wholeOption('timeoutMs', options.timeoutMs, 5_000, 1);
    const { codec, topology } = this.#settings;
    const data = codec.encode(envelope);
    const channel = await this.#open(action);
    const id = `${++this.#sent}`;
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(requestTimeout(topic, timeoutMs));
      }, timeoutMs);
      this.#pending.set(id, { topic, resolve, reject, timer });
    });
    const traceparent = envelope.traceparent;
    gatherWrites(channel);
    channel
      .basicPublish(
        topology.requests,
        topic,
        data,
        {
          contentType: codec.contentType,
          replyTo: REPLY_TO,
          correlationId: id,
          expiration: String(timeoutMs),
          ...(typeof traceparent === 'string' && traceparent !== ''
            ? { headers: { traceparent } }
            : {}),
        },
        true,
      )
      .catch((error: unknown) => this.#settle(id, undefined, this.#connection.down(action, error)));
    return answer;
  }

  /** Nothing to restore: the next request opens a channel on the new connection. */
  async restore(): Promise<void> {}

  lost(): void {
    this.#channel = undefined;
    for (const id of [...this.#pending.keys()]) {
      const why =
        'wait for the answer: the connection was lost, and an answer cannot reach a new one; invoke again with the same messageId';
      this.#settle(id, undefined, this.#connection.down(why));
    }
  }

  /** Rejects what still waits with CLOSED and closes the channel. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const id of [...this.#pending.keys()]) {
      this.#settle(id, undefined, closedError('wait for the answer'));
    }
    const channel = await this.#channel?.catch(() => undefined);
    if (channel !== undefined && !channel.closed) await channel.close().catch(() => undefined);
  }

  async #open(action: string): Promise<AMQPChannel> {
    const client = this.#connection.client;
    if (client === undefined) throw this.#connection.down(action);
    this.#channel ??= this.#attach(client);
    try {
      const channel = await this.#channel;
      if (!channel.closed) return channel;
    } catch {
      // a channel that failed to open, or was lost: open another below
    }
    this.#channel = this.#attach(client);
    try {
      return await this.#channel;
    } catch (error) {
      throw this.#connection.down(action, error);
    }
  }

  async #attach(client: AMQPBaseClient): Promise<AMQPChannel> {
    const channel = await client.channel();
    channel.onerror = () => undefined; // a later request opens another
    channel.onReturn = (msg) => {
      const id = msg.properties.correlationId;
      const pending = id === undefined ? undefined : this.#pending.get(id);
      if (pending !== undefined) this.#settle(id!, undefined, noResponder(pending.topic));
    };
    await channel.basicConsume(REPLY_TO, { noAck: true }, (msg) => this.#answer(msg));
    return channel;
  }

  #answer(msg: AMQPMessage): void {
    const id = msg.properties.correlationId;
    const pending = id === undefined ? undefined : this.#pending.get(id);
    if (pending === undefined) return; // late, or a second answer: the first one won
    try {
      const reply = decodeReply(decoder.decode(msg.body as Uint8Array), pending.topic);
      this.#settle(id!, answerOf(reply, pending.topic), undefined);
    } catch (error) {
      this.#settle(id!, undefined, error as WhizbangError);
    }
  }

  #settle(id: string, value: unknown, error: WhizbangError | undefined): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (error === undefined) pending.resolve(value);
    else pending.reject(error);
  }
}
