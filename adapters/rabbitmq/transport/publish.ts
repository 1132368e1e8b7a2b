/**
 * Publishing: each envelope in the transport's codec to the topic exchange, the topic as routing
 * key, `traceparent` in a header (tracing tools see it without decoding), on one channel so calls
 * keep their order. Reliable mode puts the channel in confirm mode and resolves once the broker
 * confirmed the envelope (a quorum queue confirms once it is on disk); fire-and-forget resolves
 * once it is written to the socket. The channel comes back after a reconnect, or after the broker
 * closed it, with the topology declared again first.
 */

import type { AMQPBaseClient, AMQPChannel, AMQPProperties } from '@cloudamqp/amqp-client';
import { checkTopic } from '../../../js/kit/mod.ts';
import { isWhizbangError, WhizbangError, type WireEnvelope } from '../../../js/mod.ts';
import type { EnvelopeCodec } from '../../../js/wasm/mod.ts';
import { type ConnectionPart, closedError, type RabbitConnection } from '../connection.ts';
import { checkRoutingKey, declareTopology } from '../topology.ts';
import { gatherWrites } from '../writes.ts';
import type { TransportSettings } from './settings.ts';

/** A short string AMQP can carry as a property (255 bytes; 85 UTF-16 units always fit). */
const short = (text: unknown): string | undefined =>
  typeof text === 'string' && text.length <= 85 ? text : undefined;

/** The publishing side of a transport, and the topology it declares. */
export class Publisher implements ConnectionPart {
  readonly #connection: RabbitConnection;
  readonly #settings: TransportSettings;
  readonly #checked = new Set<string>();
  #channel: AMQPChannel | undefined;
  #closed = false;
  /** Publishes not yet confirmed (or written), and who waits for them to end. */
  #inFlight = 0;
  #drained: (() => void) | undefined;

  constructor(connection: RabbitConnection, settings: TransportSettings) {
    this.#connection = connection;
    this.#settings = settings;
  }

  /** Declares the topology and opens the channel on `client`. */
  async restore(client: AMQPBaseClient): Promise<void> {
    const channel = await client.channel();
    channel.onerror = () => {
      // the broker closed it (an exchange deleted under it, say): open it again
      if (this.#channel !== channel) return;
      this.#channel = undefined;
      const live = this.#connection.client;
      if (live !== undefined && !this.#closed) void this.restore(live).catch(() => undefined);
    };
    await declareTopology(channel, this.#settings.topology);
    if (this.#settings.reliable) await channel.confirmSelect();
    this.#channel = channel;
  }

  lost(): void {
    this.#channel = undefined;
  }

  /** Publishes `envelope` to `topic`; see the module. */
  publish(topic: string, envelope: WireEnvelope): Promise<void> {
    if (!this.#checked.has(topic)) {
      checkTopic(topic, 'publish');
      checkRoutingKey(topic);
      if (this.#checked.size >= 1024) this.#checked.clear();
      this.#checked.add(topic);
    }
    const { codec, reliable, topology } = this.#settings;
    const data = encode(codec, topic, envelope);
    const channel = this.#usable(`publish to "${topic}"`);
    const properties: AMQPProperties = {
      contentType: codec.contentType,
      deliveryMode: reliable ? 2 : 1,
    };
    const id = short(envelope.messageId);
    if (id !== undefined) properties.messageId = id;
    const type = short(envelope.message.type);
    if (type !== undefined) properties.type = type;
    if (typeof envelope.traceparent === 'string' && envelope.traceparent !== '') {
      properties.headers = { traceparent: envelope.traceparent };
    }
    this.#inFlight++;
    gatherWrites(channel);
    return channel.basicPublish(topology.exchange, topic, data, properties).then(
      () => this.#settled(),
      (error: unknown) => {
        this.#settled();
        throw this.#unsent(`publish to "${topic}"`, error);
      },
    );
  }

  #settled(): void {
    if (--this.#inFlight === 0) this.#drained?.();
  }

  /** Publishes a dead letter of `topic` with why in `headers`; resolves once the broker has it. */
  async deadLetter(
    topic: string,
    data: Uint8Array,
    headers: Record<string, string | number>,
  ): Promise<void> {
    const channel = this.#usable(`dead-letter an envelope of "${topic}"`);
    const { codec, topology } = this.#settings;
    try {
      await channel.basicPublish(topology.deadLetters, topic, data, {
        contentType: codec.contentType,
        deliveryMode: 2,
        headers,
      });
    } catch (error) {
      throw this.#unsent(`dead-letter an envelope of "${topic}"`, error);
    }
  }

  /** Waits for the confirms in flight, then closes the channel. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
    }
    const channel = this.#channel;
    this.#channel = undefined;
    if (channel !== undefined && !channel.closed) await channel.close().catch(() => undefined);
  }

  #usable(action: string): AMQPChannel {
    const channel = this.#channel;
    if (this.#closed) throw closedError(action);
    if (channel === undefined || channel.closed) throw this.#connection.down(action);
    return channel;
  }

  #unsent(action: string, error: unknown): WhizbangError {
    if (this.#closed) return closedError(action);
    const text = error instanceof Error ? error.message : String(error);
    if (/PRECONDITION_FAILED.*(size|large)/i.test(text)) {
      return new WhizbangError(
        'INVALID_ARGUMENT',
        `Cannot ${action}: the broker refused it as too large (${text}). Send large content elsewhere and reference it, or raise the broker's max_message_size.`,
        { cause: error },
      );
    }
    const blocked = /blocked/i.test(text);
    return new WhizbangError(
      'UNAVAILABLE',
      blocked
        ? `Cannot ${action}: RabbitMQ blocks publishers for now (${text}: a memory or disk alarm). Publish again once it clears.`
        : `Cannot ${action}: the broker did not confirm it (${text}), so it may or may not have been stored. Publish it again (the receiving inbox takes it once).`,
      { cause: error },
    );
  }
}

function encode(codec: EnvelopeCodec, topic: string, envelope: WireEnvelope): Uint8Array {
  try {
    return codec.encode(envelope);
  } catch (error) {
    if (isWhizbangError(error) && error.code === 'INVALID_ARGUMENT') {
      throw new WhizbangError('INVALID_ARGUMENT', `publish("${topic}", …): ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}
