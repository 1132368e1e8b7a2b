/**
 * Request/reply of the memory transport: a request goes to every plain responder whose topic
 * matches and to one member of each queue group (round-robin); the first answer wins. Envelopes
 * and answers travel as JSON, as on a wire.
 */

import type {
  TransportRequestOptions,
  TransportResponder,
  TransportSubscribeOptions,
  TransportSubscription,
  WireEnvelope,
} from '../contracts/transport.ts';
import {
  answerOf,
  decodeReply,
  encodeReply,
  noResponder,
  replyOf,
  requestTimeout,
} from '../kit/replies.ts';
import { checkQueue, checkTopic, topicMatches } from '../kit/topics.ts';
import { invalidArgument, wholeOption } from '../util/errors.ts';
import type { MaybePromise } from '../util/maybe.ts';
import { platform } from '../util/platform.ts';

interface Responder {
  readonly tokens: readonly string[];
  readonly responder: TransportResponder;
  readonly queue: string | undefined;
}

/** The request side of a memory transport; `guard` throws when the transport is closed. */
export interface MemoryRequests {
  request(
    topic: string,
    envelope: WireEnvelope,
    options?: TransportRequestOptions,
  ): Promise<unknown>;
  respond(
    topic: string,
    responder: TransportResponder,
    options?: TransportSubscribeOptions,
  ): TransportSubscription;
  /** Ends every responder; requests in hand still get their answers. */
  close(): void;
}

/** Makes the request side; `guard(action)` throws CLOSED, `encode` makes the JSON of an envelope. */
export function memoryRequests(
  guard: (action: string) => void,
  encode: (topic: string, envelope: WireEnvelope) => string,
): MemoryRequests {
  const responders: Responder[] = [];
  const turns = new Map<string, number>();

  /** Every plain responder that matches, and one member of each matching queue group. */
  const chosen = (tokens: readonly string[]): Responder[] => {
    const picked: Responder[] = [];
    const groups = new Map<string, Responder[]>();
    for (const r of responders) {
      if (!topicMatches(r.tokens, tokens)) continue;
      if (r.queue === undefined) picked.push(r);
      else groups.set(r.queue, [...(groups.get(r.queue) ?? []), r]);
    }
    for (const [name, members] of groups) {
      const turn = turns.get(name) ?? 0;
      turns.set(name, turn + 1);
      picked.push(members[turn % members.length]!);
    }
    return picked;
  };

  return {
    request(topic, envelope, options = {}): Promise<unknown> {
      try {
        guard(`send a request to "${topic}"`);
        const timeoutMs = wholeOption('timeoutMs', options.timeoutMs, 5_000, 1);
        const json = encode(topic, envelope);
        const targets = chosen(checkTopic(topic, 'publish'));
        if (targets.length === 0) return Promise.reject(noResponder(topic));
        return new Promise((resolve, reject) => {
          let settled = false;
          const timer = platform.setTimeout(() => {
            settled = true;
            reject(requestTimeout(topic, timeoutMs));
          }, timeoutMs);
          for (const target of targets) {
            // a microtask later, so a responder never runs inside `request`
            void Promise.resolve()
              .then(() => replyOf(() => target.responder(JSON.parse(json) as WireEnvelope, topic)))
              .then((reply) => {
                if (settled) return;
                settled = true;
                platform.clearTimeout(timer);
                try {
                  resolve(answerOf(decodeReply(encodeReply(reply, topic), topic), topic));
                } catch (error) {
                  reject(error);
                }
              });
          }
        });
      } catch (error) {
        return Promise.reject(error);
      }
    },

    respond(topic, responder, options = {}): TransportSubscription {
      guard(`answer requests on "${topic}"`);
      const tokens = checkTopic(topic, 'subscribe');
      if (typeof responder !== 'function') {
        throw invalidArgument(`respond("${topic}", …) needs a responder function.`);
      }
      checkQueue(options.queue);
      const entry: Responder = { tokens, responder, queue: options.queue };
      responders.push(entry);
      return {
        close(): MaybePromise<void> {
          const i = responders.indexOf(entry);
          if (i >= 0) responders.splice(i, 1);
        },
      };
    },

    close(): void {
      responders.length = 0;
    },
  };
}
