/**
 * What a RabbitMQ transport declares, and how its names are made. Envelopes go to one topic
 * exchange with the topic as routing key; requests to a second one, so that no subscriber takes a
 * request for an event; dead letters to a third, which a quorum queue keeps. Each subscription is
 * a queue bound to the exchange with the topic's binding key: Whizbang's `*` is AMQP's `*`, and
 * `>` (one token or more) becomes `*.#` (AMQP's `#` alone would also match none).
 */

import type { AMQPChannel } from '@cloudamqp/amqp-client';
import { invalidArgument, utf8Length } from '../../js/kit/mod.ts';
import { uuidv7 } from '../../js/mod.ts';

/** The exchanges and the dead-letter queue of a transport. */
export interface Topology {
  /** The topic exchange envelopes are published to. */
  readonly exchange: string;
  /** The topic exchange requests are published to. */
  readonly requests: string;
  /** The topic exchange dead letters are published to. */
  readonly deadLetters: string;
  /** The quorum queue that keeps the dead letters (bound with `#`), or none. */
  readonly deadLetterQueue: string | undefined;
}

const NAME = /^[A-Za-z0-9_.:-]{1,100}$/;

/** Checks an exchange or queue name of the options: plain characters, not AMQP's `amq.` prefix. */
export function checkName(name: unknown, option: string): string {
  if (typeof name !== 'string' || !NAME.test(name) || name.startsWith('amq.')) {
    throw invalidArgument(
      `"${option}" must be 1–100 letters, digits, "_", "-", "." or ":", not starting with "amq." (RabbitMQ keeps that prefix); got ${JSON.stringify(name)}.`,
    );
  }
  return name;
}

/** The topology of a transport on `exchange`. */
export function topologyOf(
  exchange: string,
  deadLetters: { readonly exchange?: string; readonly queue?: string | false } = {},
): Topology {
  checkName(exchange, 'exchange');
  const queue = deadLetters.queue ?? `${exchange}.dead-letters`;
  return {
    exchange,
    requests: `${exchange}.requests`,
    deadLetters: checkName(
      deadLetters.exchange ?? `${exchange}.dead-letter`,
      'deadLetters.exchange',
    ),
    deadLetterQueue: queue === false ? undefined : checkName(queue, 'deadLetters.queue'),
  };
}

/** Declares the exchanges (durable) and the dead-letter queue on `channel`. */
export async function declareTopology(channel: AMQPChannel, topology: Topology): Promise<void> {
  for (const name of [topology.exchange, topology.requests, topology.deadLetters]) {
    await channel.exchangeDeclare(name, 'topic', { durable: true });
  }
  if (topology.deadLetterQueue !== undefined) {
    await channel.queueDeclare(
      topology.deadLetterQueue,
      { durable: true },
      { 'x-queue-type': 'quorum' },
    );
    await channel.queueBind(topology.deadLetterQueue, topology.deadLetters, '#');
  }
}

/** A subscription's binding key, and whether deliveries must be checked against the topic too. */
export interface Binding {
  readonly key: string;
  /** The topic's tokens when a literal `#` token had to be bound as `*` (then checked on delivery). */
  readonly check: readonly string[] | undefined;
}

/** The binding key of a subscription's topic tokens (checked by `checkTopic`). */
export function bindingOf(tokens: readonly string[]): Binding {
  let literalHash = false;
  const key = tokens
    .map((token) => {
      if (token === '>') return '*.#';
      if (token === '#') {
        literalHash = true; // a plain token to Whizbang, a wildcard to AMQP
        return '*';
      }
      return token;
    })
    .join('.');
  if (utf8Length(key) > 255) {
    throw invalidArgument(
      `Topic "${tokens.join('.')}" is over 255 bytes, the most an AMQP routing key holds; use a shorter topic.`,
    );
  }
  return { key, check: literalHash ? tokens : undefined };
}

/** Checks that a published topic fits a routing key. */
export function checkRoutingKey(topic: string): void {
  if (topic.length > 85 && utf8Length(topic) > 255) {
    throw invalidArgument(
      `Topic "${topic.slice(0, 40)}…" is over 255 bytes, the most an AMQP routing key holds; use a shorter topic.`,
    );
  }
}

/** FNV-1a over the UTF-8 bytes in two lanes: a 64-bit name for what is too long to spell out. */
function digest(text: string): string {
  let a = 0x811c9dc5;
  let b = 0xcbf29ce4;
  for (const byte of new TextEncoder().encode(text)) {
    a = Math.imul(a ^ byte, 0x01000193);
    b = Math.imul(b ^ byte, 0x01000193) ^ (a >>> 13);
  }
  return (a >>> 0).toString(36) + (b >>> 0).toString(36);
}

/**
 * The queue of a queue group on a topic: `<exchange>/<group>/<topic>`, readable in the management
 * tools; `<exchange>/#<digest>` when that is over 255 bytes or the group's name has a `/`.
 */
export function groupQueueName(exchange: string, group: string, topic: string): string {
  const plain = `${exchange}/${group}/${topic}`;
  if (!group.includes('/') && utf8Length(plain) <= 255) return plain;
  return `${exchange}/#${digest(`${group}\u0000${topic}`)}`;
}

/** A fresh name for a plain subscription's queue. */
export function plainQueueName(exchange: string): string {
  return `${exchange}/subscription/${uuidv7()}`;
}
