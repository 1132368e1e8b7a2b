/**
 * One delivery to a subscription's handler: decoded from the bytes each time (a failed handler
 * that mutated its copy gets the envelope as published), tried again here with backoff while the
 * subscription holds the rest (so its order stays), then dead-lettered after the last attempt;
 * bytes that are not an envelope are dead-lettered at once. Attempts count the broker's earlier
 * deliveries too (a quorum queue's `x-delivery-count`, else the `redelivered` flag), so a message
 * that came back after a crash or a lost connection does not start again from one.
 */

import type { AMQPMessage } from '@cloudamqp/amqp-client';
import { backoffSleep, isThenable, topicMatches } from '../../../js/kit/mod.ts';
import type { TransportHandler, WireEnvelope } from '../../../js/mod.ts';
import type { DeadLetters } from './dead-letter.ts';
import type { TransportSettings } from './settings.ts';

/** What handling a delivery needs of its subscription. */
export interface DeliveryContext {
  readonly settings: TransportSettings;
  readonly deadLetters: DeadLetters;
  readonly handler: TransportHandler;
  /** The topic's tokens when deliveries must be checked against them (see `bindingOf`). */
  readonly check: readonly string[] | undefined;
  /** Where a backoff's wake-up goes, so closing cuts it short. */
  readonly sleeper: { wake: (() => void) | undefined };
  /** Whether `msg` may still be settled: the subscription is open and `msg` of its channel. */
  live(msg: AMQPMessage): boolean;
  /** `msg` is done with: ack it. */
  done(msg: AMQPMessage): void;
  /** `msg` could not be dead-lettered: give it back to the queue. */
  giveBack(msg: AMQPMessage): void;
}

/** Deliveries of `msg` before this one, as the broker counted them. */
function earlier(msg: AMQPMessage): number {
  const count = Number(msg.properties.headers?.['x-delivery-count']);
  return Number.isSafeInteger(count) && count > 0 ? count : msg.redelivered ? 1 : 0;
}

/** Hands `msg` to the handler; returns nothing when it settled at once (the fast path). */
export function deliver(ctx: DeliveryContext, msg: AMQPMessage): Promise<void> | undefined {
  const topic = msg.routingKey;
  if (ctx.check !== undefined && !topicMatches(ctx.check, topic.split('.'))) {
    ctx.done(msg); // bound wider than the topic (a literal "#" token): not this subscription's
    return undefined;
  }
  const deliveries = earlier(msg) + 1;
  const data = msg.body as Uint8Array;
  let envelope: WireEnvelope;
  try {
    envelope = ctx.settings.codec.decode(data);
  } catch (error) {
    return deadLetter(ctx, msg, undefined, error, deliveries);
  }
  let result: unknown;
  try {
    result = ctx.handler(envelope, topic);
  } catch (error) {
    return retry(ctx, msg, error, deliveries);
  }
  if (!isThenable(result)) {
    ctx.done(msg);
    return undefined;
  }
  return Promise.resolve(result).then(
    () => ctx.done(msg),
    (error: unknown) => retry(ctx, msg, error, deliveries),
  );
}

/** Tries a failed delivery again with backoff until it works or its attempts run out. */
async function retry(
  ctx: DeliveryContext,
  msg: AMQPMessage,
  first: unknown,
  deliveries: number,
): Promise<void> {
  const { codec, attempts, backoffMs } = ctx.settings;
  let error = first;
  for (let attempt = deliveries; ; attempt++) {
    // closed or disconnected: unacked, it goes back to the queue (another member may take it)
    if (!ctx.live(msg)) return;
    if (attempt >= attempts) {
      await deadLetter(ctx, msg, codec.decode(msg.body as Uint8Array), error, attempt);
      return;
    }
    await backoffSleep(ctx.sleeper, backoffMs * 2 ** (attempt - deliveries));
    if (!ctx.live(msg)) return;
    try {
      await ctx.handler(codec.decode(msg.body as Uint8Array), msg.routingKey);
      ctx.done(msg);
      return;
    } catch (failed) {
      error = failed;
    }
  }
}

async function deadLetter(
  ctx: DeliveryContext,
  msg: AMQPMessage,
  envelope: WireEnvelope | undefined,
  error: unknown,
  deliveries: number,
): Promise<void> {
  const data = msg.body as Uint8Array;
  const trace = msg.properties.headers?.traceparent;
  if (await ctx.deadLetters.send(msg.routingKey, data, envelope, error, deliveries, trace)) {
    ctx.done(msg);
  } else if (ctx.live(msg)) ctx.giveBack(msg);
}
