/** One running subscription of the NATS transport, and what subscribing needs of the transport. */

import type { NatsConnection } from '@nats-io/nats-core';
import type { DeadLetters } from './dead-letter.ts';
import type { TransportSettings } from './settings.ts';

/** One subscription's state, whichever way messages come in. */
export interface Running {
  closed: boolean;
  /** The delivery in hand, if any. */
  current: Promise<void> | undefined;
  wake: (() => void) | undefined;
  close(): Promise<void>;
}

/** What a subscription needs of its transport. */
export interface SubscribeContext {
  readonly nc: NatsConnection;
  readonly core: typeof import('@nats-io/nats-core');
  readonly settings: TransportSettings;
  readonly deadLetters: DeadLetters;
  /** The topic of a subject the subscription hears. */
  readonly topicOf: (subject: string) => string;
  /** Told when the subscription closes, so the transport stops waiting for it. */
  readonly ended: (run: Running) => void;
}
