/** What an app is built from: receptors, perspectives, event handlers, and the lookups made once from them. */

import type { RecordedEvent } from '../contracts/ledger.ts';
import { invokeTopic, isTopic, type RouteTarget, topicFor } from '../contracts/outbox.ts';
import type { Perspective } from '../definitions/perspective.ts';
import type { Policy, PolicyMatch } from '../definitions/policy.ts';
import type { Receptor } from '../definitions/receptor.ts';
import type {
  EventDefinition,
  Message,
  MessageDefinition,
  MessageKind,
} from '../messages/message.ts';
import { invalidArgument, WhizbangError, wholeOption } from '../util/errors.ts';
import type { MaybePromise } from '../util/maybe.ts';
import type { StandardSchemaV1 } from '../util/standard-schema.ts';

/** What an event handler knows besides the event. */
export interface EventHandlerContext {
  /** The tenant of the event. */
  readonly tenant: string;
  /** The event being handled, as recorded. */
  readonly event: RecordedEvent;
}

/** Reacts to a recorded event; whatever commands it returns are sent (with the event as their cause). */
export type EventHandler<E extends RecordedEvent = RecordedEvent> = (
  event: E,
  context: EventHandlerContext,
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing is the common case
) => MaybePromise<Message | readonly Message[] | undefined | void>;

const NO_POLICIES: readonly Policy[] = [];

/** Where messages of a type go; `timeoutMs` is how long a remote invoke waits for its answer. */
export interface Route {
  readonly to: RouteTarget;
  readonly topic: string;
  readonly timeoutMs: number;
}

/** The registered parts of an app. */
export class Registry {
  readonly receptors: Map<string, Receptor> = new Map();
  /** Counts changes (receptors, policies, routes), so lookups made from them know when to be made again. */
  #revision = 0;
  readonly perspectives: Map<string, Perspective> = new Map();
  readonly inlineByType: Map<string, Perspective[]> = new Map();
  readonly handlers: Map<string, EventHandler[]> = new Map();
  readonly eventSchemas: Map<string, StandardSchemaV1> = new Map();
  readonly eventDefinitions: Map<string, EventDefinition> = new Map();
  /** Where messages of a type go when not (only) handled here. */
  readonly routes: Map<string, Route> = new Map();
  readonly #policies: Array<{
    policy: Policy;
    matches: (message: Message) => boolean;
    types?: ReadonlySet<string>;
  }> = [];
  readonly #policiesByType = new Map<string, readonly Policy[]>();
  #predicates = false;
  /** Event types whose shape is past version 1: the version is stamped on each appended event. */
  readonly eventVersions: Map<string, number> = new Map();

  addReceptor(receptor: Receptor): void {
    if (typeof receptor?.decide !== 'function')
      throw invalidArgument('receptor() takes a receptor made by defineReceptor().');
    const type = receptor.command.type;
    if (this.receptors.has(type)) {
      throw new WhizbangError(
        'DUPLICATE_HANDLER',
        `"${type}" already has a receptor; a command has exactly one. Remove one of them.`,
      );
    }
    this.receptors.set(type, receptor);
    this.#revision++;
  }

  addPerspective(perspective: Perspective): void {
    if (typeof perspective?.apply !== 'function')
      throw invalidArgument('perspective() takes a perspective made by definePerspective().');
    if (this.perspectives.has(perspective.name)) {
      throw new WhizbangError(
        'DUPLICATE_HANDLER',
        `A perspective named "${perspective.name}" is already registered; names must be unique.`,
      );
    }
    this.perspectives.set(perspective.name, perspective);
    if (perspective.mode === 'inline') {
      for (const type of perspective.types) {
        const list = this.inlineByType.get(type) ?? [];
        list.push(perspective);
        this.inlineByType.set(type, list);
      }
    }
    for (const def of perspective.events) this.addEventSchema(def);
  }

  addHandler(definition: EventDefinition, handler: EventHandler): void {
    if (definition?.kind !== 'event' || typeof handler !== 'function') {
      throw invalidArgument(
        'on() takes an event definition made by defineEvent() and a handler function.',
      );
    }
    const list = this.handlers.get(definition.type) ?? [];
    list.push(handler);
    this.handlers.set(definition.type, list);
    this.addEventSchema(definition);
  }

  /** Registers what an event definition knows: its schema, its version and its upcasters. */
  addEventSchema(definition: EventDefinition): void {
    const known = this.eventDefinitions.get(definition.type);
    if (known !== undefined && known !== definition && known.version !== definition.version) {
      throw invalidArgument(
        `Two definitions of "${definition.type}" disagree on its version (${known.version} and ${definition.version}); register one.`,
      );
    }
    this.eventDefinitions.set(definition.type, definition);
    if (definition.schema !== undefined) this.eventSchemas.set(definition.type, definition.schema);
    if (definition.version > 1) this.eventVersions.set(definition.type, definition.version);
  }

  addPolicy(policy: Policy, match?: PolicyMatch): void {
    if (typeof policy?.wrap !== 'function') {
      throw invalidArgument(
        'policy() takes a policy made by retry(), timeout(), cache() or circuitBreaker().',
      );
    }
    if (match === undefined) {
      this.#policies.push({ policy, matches: () => true });
    } else if (typeof match === 'function') {
      this.#predicates = true;
      this.#policies.push({ policy, matches: match });
    } else {
      const types = new Set(match.for.map((d) => (typeof d === 'string' ? d : d.type)));
      this.#policies.push({ policy, matches: (m) => types.has(m.type), types });
    }
    this.#policiesByType.clear();
    this.#revision++;
  }

  /** Changes whenever a receptor, a policy or a route is added. */
  get revision(): number {
    return this.#revision;
  }

  /** Whether any policy was added. */
  get hasPolicies(): boolean {
    return this.#policies.length > 0;
  }

  /** The policies that apply to a message, outermost first (cached per type unless a predicate is involved). */
  policiesFor(message: Message): readonly Policy[] {
    if (this.#policies.length === 0) return NO_POLICIES;
    if (this.#predicates)
      return this.#policies.filter((p) => p.matches(message)).map((p) => p.policy);
    let list = this.#policiesByType.get(message.type);
    if (list === undefined) {
      list = this.#policies.filter((p) => p.matches(message)).map((p) => p.policy);
      this.#policiesByType.set(message.type, list);
    }
    return list;
  }

  addRoute(
    definition: MessageDefinition<MessageKind, string, unknown, unknown>,
    to: RouteTarget,
    topic?: string,
    timeoutMs?: number,
  ): void {
    if (definition?.kind !== 'command' && definition?.kind !== 'event') {
      throw invalidArgument('route() takes a definition made by defineCommand() or defineEvent().');
    }
    if (!['local', 'outbox', 'both', 'ledger-only', 'remote'].includes(to)) {
      throw invalidArgument(
        `route() sends to 'local', 'outbox', 'both', 'remote' or 'ledger-only', not ${JSON.stringify(to)}.`,
      );
    }
    if (definition.kind === 'event' && to === 'remote') {
      throw invalidArgument(
        `"${definition.type}" is an event: 'remote' invokes a command's receptor in another process; route events to 'outbox' or 'both'.`,
      );
    }
    if (to !== 'remote' && timeoutMs !== undefined) {
      throw invalidArgument(
        `route(${definition.type}, { timeoutMs }) is for commands routed to 'remote' (how long an invoke waits for its answer).`,
      );
    }
    if (definition.kind === 'command' && to === 'ledger-only') {
      throw invalidArgument(
        `"${definition.type}" is a command: 'ledger-only' is for events (recorded, not fanned out).`,
      );
    }
    const name =
      topic ??
      (to === 'remote' ? invokeTopic(definition.type) : topicFor(definition.kind, definition.type));
    if (!isTopic(name)) {
      throw invalidArgument(
        `"${name}" is not a usable topic for "${definition.type}": tokens of letters, digits, _ - : $ separated by dots. Give route() a \`topic\`.`,
      );
    }
    this.#revision++;
    this.routes.set(definition.type, {
      to,
      topic: name,
      timeoutMs: wholeOption('timeoutMs', timeoutMs, 5_000, 1),
    });
    if (definition.kind === 'event') this.addEventSchema(definition as EventDefinition);
  }
}
