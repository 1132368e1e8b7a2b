/** JetStream plumbing both the transport and the ledger use: loading the client, names, streams. */

import type { JetStreamClient, JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { invalidArgument } from '../../js/kit/mod.ts';
import { WhizbangError } from '../../js/mod.ts';

const BAD_NAME = /[\s.*>/\\]/;

/** Checks a stream or consumer name: non-empty, without whitespace, `.`, `*`, `>` or slashes. */
export function natsName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name === '' || BAD_NAME.test(name)) {
    throw invalidArgument(
      `${what} ${JSON.stringify(name)} is not a valid JetStream name: use letters, digits, "-" and "_" (no whitespace, ".", "*", ">" or slashes).`,
    );
  }
  return name;
}

/** Makes a valid JetStream name of any text (what is not a letter, digit, - or _ becomes _). */
export function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** A short stable hash of a subject, to tell consumers of one group on different topics apart. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/** Loads the JetStream client (an optional peer dependency) for a connection. */
export async function loadJetStream(
  nc: NatsConnection,
): Promise<{ js: JetStreamClient; jsm: JetStreamManager }> {
  let mod: typeof import('@nats-io/jetstream');
  try {
    mod = await import('@nats-io/jetstream');
  } catch (cause) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      'JetStream needs its client: npm install @nats-io/jetstream@3.',
      { cause },
    );
  }
  try {
    return { js: mod.jetstream(nc), jsm: await mod.jetstreamManager(nc) };
  } catch (cause) {
    throw new WhizbangError(
      'UNAVAILABLE',
      'The NATS server does not offer JetStream: start it with -js (or a jetstream block in its config).',
      { cause },
    );
  }
}

/** Makes the stream when it does not exist; an existing one is used as it is. */
export async function ensureStream(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
): Promise<void> {
  try {
    await jsm.streams.info(config.name);
    return;
  } catch (error) {
    if (!/not found/i.test(String((error as Error)?.message))) throw error;
  }
  try {
    await jsm.streams.add(config);
  } catch (error) {
    // another process made it at the same moment
    if (!/already in use|exists/i.test(String((error as Error)?.message))) throw error;
  }
}
