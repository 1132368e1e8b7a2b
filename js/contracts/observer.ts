/**
 * Observers see every message this process handles, after its step is done: the trace store, the
 * OpenTelemetry bridge and the playground are observers. They must not throw; what they throw is
 * reported to `onError` and otherwise ignored, so observing never changes an outcome.
 */
import type { Envelope } from '../messages/envelope.ts';
import type { RecordedEvent } from './ledger.ts';

/** What handling one message produced. */
export interface Dispatched {
  /** The message's envelope, with its hops. */
  readonly envelope: Envelope;
  /** Events appended by this message itself (not by its cascade). */
  readonly events: readonly RecordedEvent[];
  /** Set when handling failed. */
  readonly error?: unknown;
}

/** A failure of work the app runs in the background (an async perspective), as reported. */
export interface BackgroundFailure {
  /**
   * What failed: `'perspective'` (an async perspective), `'coordinator'` (a lease call of the
   * work coordinator, tried again at the next heartbeat) or `'scheduler'` (a scheduled command,
   * named by its schedule perspective). A coordinator's or scheduler's module that fails to load
   * is reported under its source with `outcome: 'stopped'`.
   */
  readonly source: 'perspective' | 'coordinator' | 'scheduler';
  /** The perspective's name (the instance's name for the coordinator). */
  readonly name: string;
  /** The error (a WhizbangError; HANDLER_FAILED when `apply` threw). */
  readonly error: unknown;
  /** The event it failed on, when one event is to blame. */
  readonly event?: RecordedEvent;
  /**
   * What happens next: `'retrying'` (after a pause), `'parked'` (the event is skipped, the
   * perspective goes on), `'stopped'` (the perspective stopped; `waitForPerspectives` rejects),
   * or `'scanning'` (its declared indexes could not be made: its lens answers by a scan).
   */
  readonly outcome: 'retrying' | 'parked' | 'stopped' | 'scanning';
}

/** Sees each handled message once its hops are complete. */
export interface Observer {
  /** Called once a message has been handled (or has failed). */
  onDispatched?(dispatched: Dispatched): void;
  /** Called with anything an observer threw. */
  onError?(error: unknown): void;
  /** Called when background work (an async perspective) fails, retries, parks an event or stops. */
  onBackgroundError?(failure: BackgroundFailure): void;
}
