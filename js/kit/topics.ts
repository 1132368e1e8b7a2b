/** Topics as every transport reads them: dot-separated tokens, `*` and `>` wildcards, queue groups. */
import { invalidArgument } from '../util/errors.ts';

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
