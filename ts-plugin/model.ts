/**
 * What the language-service plugin knows of a program: each message type (a command or an event,
 * keyed by its kind and type name as the type checker sees them) with where it is defined, which
 * receptor answers it, which perspectives, handlers and sagas listen to it, which policies and
 * routes name it, and which parts create it.
 */

/** `'command'` or `'event'`, as a message definition's `kind`. */
export type MessageKind = 'command' | 'event';

/** A span of a source file. */
export interface Site {
  /** The file's name, as the language service names it. */
  readonly fileName: string;
  /** Offset of the span's first character. */
  readonly start: number;
  /** The span's length. */
  readonly length: number;
  /** 1-based line of `start`, for display. */
  readonly line: number;
}

/** The kinds of part that use a message. */
export type Role = 'receptor' | 'perspective' | 'handler' | 'saga' | 'policy' | 'route';

/** A part of the user's app that uses messages: a receptor, perspective, handler, saga, policy. */
export interface Part {
  /** What it is. */
  readonly role: Role;
  /** Its name: the perspective's or saga's `name`, the variable it is kept in, or a description. */
  readonly name: string;
  /** Where it is defined (what navigation goes to). */
  readonly site: Site;
  /** The messages it creates (events it emits, commands it sends), by key. */
  readonly creates: Set<string>;
}

/** A message type and the parts that use it. */
export interface MessageNode {
  /** `kind:type`, e.g. `command:Deposit`. */
  readonly key: string;
  /** Command or event. */
  readonly kind: MessageKind;
  /** The type name. */
  readonly type: string;
  /** Where `defineCommand` / `defineEvent` made it (usually one place). */
  readonly declarations: Site[];
  /** The receptors that answer it (commands). */
  readonly receptors: Part[];
  /** The perspectives, handlers and sagas that listen to it (events), with where they name it. */
  readonly listeners: Array<{ readonly part: Part; readonly ref: Site }>;
  /** The policies that name it in `for`. */
  readonly policies: Part[];
  /** Its routes (`.route(definition, { to })`), with the route's target. */
  readonly routes: Array<{ readonly part: Part; readonly to: string }>;
  /** The receptors, handlers and sagas that create it. */
  readonly creators: Part[];
  /** Places that create it outside of any part (a `publish`, a test, a helper). */
  readonly createdElsewhere: Site[];
}

/** Everything found in one program. */
export interface MessageIndex {
  /** The message types, by key. */
  readonly messages: Map<string, MessageNode>;
  /** Policies added with no `for`: they apply to every command. */
  readonly globalPolicies: Part[];
}

/** The key of a message type. */
export const keyOf = (kind: MessageKind, type: string): string => `${kind}:${type}`;

/** The node of a message type, made on first use. */
export function nodeOf(index: MessageIndex, kind: MessageKind, type: string): MessageNode {
  const key = keyOf(kind, type);
  let node = index.messages.get(key);
  if (node === undefined) {
    node = {
      key,
      kind,
      type,
      declarations: [],
      receptors: [],
      listeners: [],
      policies: [],
      routes: [],
      creators: [],
      createdElsewhere: [],
    };
    index.messages.set(key, node);
  }
  return node;
}

/** `bank.ts:14`: a site's file's base name and line. */
export function where(site: Site): string {
  const slash = Math.max(site.fileName.lastIndexOf('/'), site.fileName.lastIndexOf('\\'));
  return `${site.fileName.slice(slash + 1)}:${site.line}`;
}

/** `receptor deposit (bank.ts:14)`. */
export const describePart = (part: Part): string =>
  `${part.role} \`${part.name}\` (${where(part.site)})`;
