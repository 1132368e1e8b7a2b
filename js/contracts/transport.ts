/**
 * Transports move envelopes between processes: memory (in process), NATS, BroadcastChannel.
 * A transport carries {@link WireEnvelope}s: plain JSON-safe objects, so any encoding works.
 */

import type { Message } from '../messages/message.ts';
import { invalidArgument } from '../util/errors.ts';
import type { MaybePromise } from '../util/maybe.ts';

/** A hop as carried on the wire. */
export interface WireHop {
  readonly where: string;
  readonly service: string;
  readonly topic: string;
  readonly streamId?: string;
  readonly at: number;
  readonly durationMs: number;
  readonly decisions: ReadonlyArray<{
    readonly policy: string;
    readonly decision: string;
    readonly detail?: string;
  }>;
  readonly traceparent: string;
}

/** An envelope as it crosses a process boundary. */
export interface WireEnvelope {
  readonly message: Message;
  readonly messageId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly streamId?: string;
  readonly tenant: string;
  readonly timestamp: number;
  /** W3C traceparent of the step that sent it. */
  readonly traceparent: string;
  readonly hops: readonly WireHop[];
  /** For an event: its version in its stream and its position in the sender's ledger. */
  readonly version?: number;
  readonly position?: number;
}

/** Options of {@link Transport.subscribe}. */
export interface TransportSubscribeOptions {
  /**
   * Competing consumers: among subscribers that share a queue name, each message goes to one of
   * them. Subscribers without a queue each get every message.
   */
  readonly queue?: string;
}

/** A delivery to a subscriber. Throwing (or rejecting) from the handler asks for redelivery. */
export type TransportHandler = (envelope: WireEnvelope, topic: string) => MaybePromise<void>;

/** Options of {@link Transport.request}. */
export interface TransportRequestOptions {
  /** How long to wait for the answer, ms (default 5000); then `REQUEST_TIMEOUT`. */
  readonly timeoutMs?: number;
}

/**
 * Answers a request: what it returns (JSON-safe) goes back to the requester; what it throws goes
 * back as an error with the same `code` and message. It is called once per request: no retries.
 */
export type TransportResponder = (envelope: WireEnvelope, topic: string) => MaybePromise<unknown>;

/** A live subscription; `close` stops deliveries after the one in hand. */
export interface TransportSubscription {
  close(): MaybePromise<void>;
}

/** Moves envelopes between processes. Topics are dot-separated; `*` matches one token, `>` the rest. */
export interface Transport {
  readonly name: string;
  /** Resolves once the transport has taken the envelope (it may still be in flight). */
  publish(topic: string, envelope: WireEnvelope): MaybePromise<void>;
  subscribe(
    topic: string,
    handler: TransportHandler,
    options?: TransportSubscribeOptions,
  ): MaybePromise<TransportSubscription>;
  /**
   * Request/reply (an optional capability, offered together with `respond`): resolves with what
   * the one responder returned, or rejects with its error (same `code` and message),
   * `NO_RESPONDER` when nobody answers on the topic, or `REQUEST_TIMEOUT`.
   */
  request?(
    topic: string,
    envelope: WireEnvelope,
    options?: TransportRequestOptions,
  ): Promise<unknown>;
  /**
   * Answers requests on `topic` (wildcards allowed). Among responders that share a `queue`, one
   * answers each request; responders without one each answer, and the first answer wins.
   */
  respond?(
    topic: string,
    responder: TransportResponder,
    options?: TransportSubscribeOptions,
  ): MaybePromise<TransportSubscription>;
  close?(): MaybePromise<void>;
}

const WILDCARD = /[*>]/;
const WHITESPACE = /\s/;

/**
 * Splits and checks a topic, as every transport does: dot-separated non-empty tokens without
 * whitespace; wildcards (`*` one token, `>` the rest) only where subscribing. Throws
 * `INVALID_ARGUMENT` saying what is wrong.
 */
export function checkTopic(topic: unknown, use: 'publish' | 'subscribe'): string[] {
  if (typeof topic !== 'string' || topic === '') {
    throw invalidArgument(
      `A topic must be a non-empty string of dot-separated tokens, like "orders.placed"; got ${JSON.stringify(topic) ?? String(topic)}.`,
    );
  }
  if (WHITESPACE.test(topic)) {
    throw invalidArgument(`Topic "${topic}" contains whitespace; use dots between tokens.`);
  }
  const tokens = topic.split('.');
  tokens.forEach((token, i) => {
    if (token === '') {
      throw invalidArgument(
        `Topic "${topic}" has an empty token (token ${i + 1}): remove the leading, trailing or doubled dot.`,
      );
    }
    if (token !== '*' && token !== '>' && WILDCARD.test(token)) {
      throw invalidArgument(
        `Topic "${topic}" has the token "${token}": "*" and ">" are wildcards and must be whole tokens.`,
      );
    }
    if (use === 'publish' && (token === '*' || token === '>')) {
      throw invalidArgument(
        `Cannot publish to "${topic}": wildcards ("*", ">") are for subscribing; publish to a concrete topic.`,
      );
    }
    if (token === '>' && i !== tokens.length - 1) {
      throw invalidArgument(
        `Topic "${topic}" has ">" before its end: ">" matches the rest of a topic, so it can only be the last token.`,
      );
    }
  });
  return tokens;
}

/** Whether a subscription's topic tokens match a published topic's (NATS rules: `*` exactly one token, `>` one or more). */
export function topicMatches(pattern: readonly string[], topic: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const token = pattern[i];
    if (token === '>') return topic.length > i;
    if (i >= topic.length || (token !== '*' && token !== topic[i])) return false;
  }
  return pattern.length === topic.length;
}

/** Checks a queue group name: absent, or a non-empty string without whitespace. */
export function checkQueue(name: unknown): asserts name is string | undefined {
  if (name !== undefined && (typeof name !== 'string' || name === '' || WHITESPACE.test(name))) {
    throw invalidArgument(
      `Queue group name ${JSON.stringify(name)} is not valid: use a non-empty name without whitespace.`,
    );
  }
}

/**
 * Waits `ms` before a redelivery; `holder.wake()` ends the wait at once (the subscription is
 * closing). Shared by the transports' retry loops.
 */
export function backoffSleep(
  holder: { wake: (() => void) | undefined },
  ms: number,
): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      holder.wake = undefined;
      resolve();
    }, ms);
    holder.wake = () => {
      clearTimeout(timer);
      holder.wake = undefined;
      resolve();
    };
  });
}
