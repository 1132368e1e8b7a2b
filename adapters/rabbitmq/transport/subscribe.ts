/**
 * A subscription: a queue bound to the topic exchange, consumed on a channel of its own with
 * manual acks and `prefetch` as the bound of what it holds. Deliveries wait in a local line and
 * are handled one at a time, in order; acks are gathered (one `multiple` ack for a run of handled
 * deliveries, sent when the line runs dry or half the prefetch is handled). When the connection
 * goes, what waits in the line is dropped (the broker redelivers it) and the queue is consumed
 * again once the connection is back; a queue group's queue and a reliable plain one outlive the
 * outage, so nothing published meanwhile is lost.
 */

import type { AMQPBaseClient, AMQPChannel, AMQPMessage } from '@cloudamqp/amqp-client';
import type { TransportHandler } from '../../../js/mod.ts';
import type { ConnectionPart, RabbitConnection } from '../connection.ts';
import { refused } from '../refused.ts';
import type { Binding } from '../topology.ts';
import type { DeadLetters } from './dead-letter.ts';
import { type DeliveryContext, deliver } from './delivery.ts';
import type { QueueSpec, TransportSettings } from './settings.ts';

/** What a subscription needs of its transport. */
export interface SubscribeContext {
  readonly connection: RabbitConnection;
  readonly settings: TransportSettings;
  readonly deadLetters: DeadLetters;
  /** Told when the subscription closes, so the transport stops waiting for it. */
  readonly ended: (consumer: Consumer) => void;
}

/** One subscription's queue, channel and line of deliveries. */
export class Consumer implements ConnectionPart {
  readonly #ctx: SubscribeContext;
  readonly #spec: QueueSpec;
  readonly #binding: Binding;
  readonly #delivery: DeliveryContext;
  readonly #ackEvery: number;
  #channel: AMQPChannel | undefined;
  #tag: string | undefined;
  #queue: string;
  #line: AMQPMessage[] = [];
  #head = 0;
  /** The last handled delivery not yet acked, and how many handled since the last ack. */
  #unacked: AMQPMessage | undefined;
  #handled = 0;
  #closed = false;
  /** The pump, while it runs (the delivery in hand), or as it last ended. */
  #current: Promise<void> | undefined;
  #pumping = false;

  constructor(ctx: SubscribeContext, spec: QueueSpec, binding: Binding, handler: TransportHandler) {
    this.#ctx = ctx;
    this.#spec = spec;
    this.#binding = binding;
    this.#queue = spec.name;
    this.#ackEvery = Math.max(1, Math.floor(ctx.settings.prefetch / 2));
    this.#delivery = {
      settings: ctx.settings,
      deadLetters: ctx.deadLetters,
      handler,
      check: binding.check,
      sleeper: { wake: undefined },
      live: (msg) => !this.#closed && msg.channel === this.#channel && !msg.channel.closed,
      done: (msg) => this.#done(msg),
      giveBack: (msg) => {
        this.#flushAcks();
        msg.nack(true).catch(() => undefined);
      },
    };
  }

  /** Declares the queue, binds it and consumes it on a new channel of `client`. */
  async restore(client: AMQPBaseClient): Promise<void> {
    if (this.#closed) return;
    const { settings } = this.#ctx;
    const channel = await client.channel();
    this.#channel = channel;
    channel.onerror = () => this.#broken(channel);
    const declared = await channel.queueDeclare(this.#spec.name, this.#spec.params, {
      ...this.#spec.args,
    });
    this.#queue = declared.name;
    await channel.queueBind(declared.name, settings.topology.exchange, this.#binding.key);
    await channel.basicQos(settings.prefetch);
    const consumer = await channel.basicConsume(declared.name, { noAck: false }, (msg) =>
      this.#arrive(msg),
    );
    this.#tag = consumer.tag;
    // cancelled by the broker (its queue deleted): consume it again
    consumer.wait().catch(() => this.#broken(channel));
  }

  /** Subscribes on the live connection; refusals become Whizbang errors. */
  async start(action: string): Promise<void> {
    const client = this.#ctx.connection.client;
    if (client === undefined) throw this.#ctx.connection.down(action);
    this.#ctx.connection.add(this);
    try {
      await this.restore(client);
    } catch (error) {
      this.#closed = true;
      this.#ctx.connection.remove(this);
      await this.#channel?.close().catch(() => undefined);
      throw refused(error, action, this.#ctx.connection);
    }
  }

  lost(): void {
    this.#channel = undefined;
    this.#tag = undefined;
    this.#drop();
    this.#unacked = undefined; // its channel is gone, and the acks with it
    this.#handled = 0;
  }

  /** Stops deliveries, lets the one in hand finish, acks it, and deletes a plain queue. */
  async close(): Promise<void> {
    if (this.#closed) return this.#current;
    this.#closed = true;
    this.#ctx.ended(this);
    this.#ctx.connection.remove(this);
    this.#delivery.sleeper.wake?.();
    const channel = this.#channel;
    if (channel !== undefined && this.#tag !== undefined && !channel.closed) {
      await channel.basicCancel(this.#tag).catch(() => undefined);
    }
    this.#drop();
    await this.#current;
    this.#flushAcks();
    if (channel === undefined || channel.closed) return;
    if (this.#spec.deleteOnClose) await channel.queueDelete(this.#queue).catch(() => undefined);
    await channel.close().catch(() => undefined);
  }

  #arrive(msg: AMQPMessage): void {
    if (this.#closed || msg.channel !== this.#channel) return;
    this.#line.push(msg);
    if (!this.#pumping) this.#current = this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true; // set and cleared inside: a pump that ends at once leaves it false
    try {
      while (!this.#closed && this.#head < this.#line.length) {
        const msg = this.#line[this.#head++]!;
        const pending = deliver(this.#delivery, msg);
        if (pending !== undefined) await pending;
        if (this.#head > 1024 && this.#head * 2 > this.#line.length) {
          this.#line.splice(0, this.#head);
          this.#head = 0;
        }
      }
      this.#flushAcks();
    } finally {
      this.#pumping = false;
    }
  }

  #done(msg: AMQPMessage): void {
    if (msg.channel !== this.#channel) return; // its channel is gone: the broker redelivers it
    this.#unacked = msg;
    if (++this.#handled >= this.#ackEvery || this.#head >= this.#line.length) this.#flushAcks();
  }

  #flushAcks(): void {
    const last = this.#unacked;
    if (last === undefined) return;
    this.#unacked = undefined;
    this.#handled = 0;
    if (!last.channel.closed) last.ack(true).catch(() => undefined);
  }

  /** Lets go of the deliveries that wait (unacked, the broker gives them to another member). */
  #drop(): void {
    this.#line = [];
    this.#head = 0;
  }

  /** The channel closed (or its consumer was cancelled) while the connection lives: consume again. */
  #broken(channel: AMQPChannel): void {
    if (this.#closed || this.#channel !== channel) return;
    this.lost();
    if (!channel.closed) channel.close().catch(() => undefined);
    const client = this.#ctx.connection.client;
    if (client === undefined) return; // the reconnect restores it
    setTimeout(() => {
      if (!this.#closed && this.#ctx.connection.client === client && this.#channel === undefined) {
        this.restore(client).catch(() => this.#broken(this.#channel ?? channel));
      }
    }, this.#ctx.settings.backoffMs);
  }
}
