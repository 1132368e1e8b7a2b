/**
 * What a receptor (or an event handler) returned, sorted: the value for `localInvoke`, the events
 * to append (with their identity and shape version) and the commands to send.
 */
import type { AppendResult, NewEvent } from '../contracts/ledger.ts';
import type { PolicyOutcome } from '../definitions/policy.ts';
import { isReply } from '../definitions/receptor.ts';
import type { Envelope } from '../messages/envelope.ts';
import { type Command, isMessage, type Message, validate } from '../messages/message.ts';
import { chain, each, type MaybePromise } from '../util/maybe.ts';
import type { Registry } from './registry.ts';
import { SCHEMA_VERSION } from './upcast.ts';

/** A receptor's decision: its value, what it appends and what it sends. */
export interface Decision extends PolicyOutcome {
  readonly value: unknown;
  /** What the append of `events` did; undefined until (and unless) they were appended. */
  readonly append: AppendResult | undefined;
  /** Appended events or sends commands (policies never cache such a decision). */
  readonly wrote: boolean;
  readonly events: readonly NewEvent[];
  readonly commands: readonly Command[];
}

const NO_EVENTS: readonly NewEvent[] = Object.freeze([]);
const NO_COMMANDS: readonly Command[] = Object.freeze([]);

/** A decision that returns a value and writes nothing (the common `localInvoke` answer). */
class Answer implements Decision {
  readonly value: unknown;

  constructor(value: unknown) {
    this.value = value;
  }

  get append(): undefined {
    return undefined;
  }

  get wrote(): boolean {
    return false;
  }

  get events(): readonly NewEvent[] {
    return NO_EVENTS;
  }

  get commands(): readonly Command[] {
    return NO_COMMANDS;
  }
}

/** The decision a cache policy answers with: a value, nothing written. */
export const answered = (value: unknown): Decision => new Answer(value);

/** The decision once its events are appended. */
export function appended(decision: Decision, append: AppendResult): Decision {
  return { ...decision, append, wrote: true };
}

/** The messages in an output, or undefined when it holds none. */
function messagesOf(output: unknown): { value: unknown; messages: readonly Message[] | undefined } {
  if (isReply(output)) return { value: output.value, messages: output.messages };
  if (isMessage(output)) return { value: output, messages: [output] };
  if (Array.isArray(output) && output.length > 0 && output.every(isMessage)) {
    return { value: output, messages: output };
  }
  return { value: output, messages: undefined };
}

/** Sorts outputs for one app: events get the ids of the message that caused them. */
export class Output {
  readonly #registry: Registry;

  constructor(registry: Registry) {
    this.#registry = registry;
  }

  /** Splits an output into its value, the events to append and the commands to send. */
  sort(output: unknown, parent: Envelope): Decision {
    if (output === undefined || output === null || typeof output !== 'object') {
      return new Answer(output);
    }
    const { value, messages } = messagesOf(output);
    if (messages === undefined) return new Answer(value);
    let events: NewEvent[] | undefined;
    let commands: Command[] | undefined;
    for (const m of messages) {
      if (m.kind === 'event') {
        const event: NewEvent = {
          type: m.type,
          data: m.data,
          correlationId: parent.correlationId,
          causationId: parent.messageId,
        };
        const version = this.versioned(m.type);
        if (events === undefined) events = [];
        events.push(version === undefined ? event : { ...event, metadata: version });
      } else {
        if (commands === undefined) commands = [];
        commands.push(m as Command);
      }
    }
    return {
      value,
      append: undefined,
      events: events ?? NO_EVENTS,
      commands: commands ?? NO_COMMANDS,
      wrote: commands !== undefined,
    };
  }

  /** The metadata that records an event type's shape version, when it is past version 1. */
  versioned(type: string): Readonly<Record<string, unknown>> | undefined {
    const versions = this.#registry.eventVersions;
    if (versions.size === 0) return undefined;
    const version = versions.get(type);
    return version === undefined ? undefined : { [SCHEMA_VERSION]: version };
  }

  /** Validates (and transforms) events whose definitions have schemas; the list as it is to be appended. */
  checkEvents(events: readonly NewEvent[]): MaybePromise<readonly NewEvent[]> {
    const schemas = this.#registry.eventSchemas;
    if (schemas.size === 0) return events;
    let checked: NewEvent[] | undefined;
    const done = each(events, (e, i) => {
      const schema = schemas.get(e.type);
      if (schema === undefined) return;
      return chain(validate({ kind: 'event', type: e.type, data: e.data }, schema), (m) => {
        if (m.data === e.data) return;
        checked ??= [...events];
        checked[i] = { ...e, data: m.data };
      });
    });
    return chain(done, () => checked ?? events);
  }
}
