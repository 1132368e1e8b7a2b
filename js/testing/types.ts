/** The shapes of scenarios: options, the scenario before and after its `when`, and its outcome. */
import type { RecordedEvent } from '../contracts/ledger.ts';
import type { Command, Event, Message } from '../messages/message.ts';

/**
 * What `thenThrows` accepts: an error class (`instanceof`), a RegExp or a substring of the
 * message, or a predicate that returns true for the expected error.
 */
export type ErrorMatcher =
  | (abstract new (
      ...args: any[]
    ) => unknown)
  | RegExp
  | string
  | ((error: unknown) => boolean);

/** Options of {@link scenario}. */
export interface ScenarioOptions {
  /** The tenant everything runs in (default `'default'`). */
  readonly tenant?: string;
  /** Event handlers only: the stream the given and `when` events are published to (default `'test-stream'`). */
  readonly stream?: string;
}

/** What handling the `when` message led to. */
export interface ScenarioOutcome<V = unknown> {
  /** The stream the given events went to and the receptor appends to; undefined when it has none. */
  readonly streamId: string | undefined;
  /** The events the `when` message appended (not the given ones). */
  readonly events: readonly RecordedEvent[];
  /** The commands it returned, in order: recorded, not sent. */
  readonly commands: readonly Command[];
  /** What `localInvoke` resolved to (undefined for an event handler, or when it threw). */
  readonly value: V | undefined;
  /** True when handling threw; then `error` is what it threw. */
  readonly threw: boolean;
  /** What was thrown, when handling threw. */
  readonly error: unknown;
}

/** A scenario before its `when`: add given events, then say what happens. */
export interface Scenario<I extends Message, V> {
  /** Events already in the stream (a stateful receptor folds them into its state). Adds to earlier ones. */
  given(...events: Event[]): Scenario<I, V>;
  /** The command for a receptor, or the event for an event handler. */
  when(message: I): ScenarioWhen<V>;
}

/** A scenario with its `when`: end it with one expectation (each runs the scenario afresh). */
export interface ScenarioWhen<V> {
  /**
   * Expects exactly these messages to follow, compared by type and data: the events appended (in
   * order) and the commands returned (in order). List them as the receptor returns them.
   */
  then(...expected: Message[]): Promise<void>;
  /** Expects no events and no commands (a reply value is allowed). */
  thenNothing(): Promise<void>;
  /** Expects exactly these commands to be returned, in order; events are not checked. */
  thenSends(...commands: Command[]): Promise<void>;
  /** Expects `localInvoke` to resolve to `value` (deep equality); events are not checked. */
  thenReplies(value: V): Promise<void>;
  /** Expects handling to throw: an error class, a message pattern or substring, or a predicate. */
  thenThrows(matcher?: ErrorMatcher): Promise<void>;
  /** Runs the scenario and resolves with its outcome, for checks of your own. */
  run(): Promise<ScenarioOutcome<V>>;
}
