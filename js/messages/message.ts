/**
 * Messages: commands (intent, one handler) and events (facts, any number of handlers), defined
 * once with a type name and optionally a Standard Schema that validates their data.
 */
import { invalidArgument, ValidationError, type ValidationIssue } from '../util/errors.ts';
import { chain, type MaybePromise } from '../util/maybe.ts';
import type { StandardSchemaV1 } from '../util/standard-schema.ts';
import { declareProtected, protectedFields } from './protected.ts';

/** Whether a message is a command or an event. */
export type MessageKind = 'command' | 'event';

/** A message: its kind, its type name and its data. Plain data, safe to serialise. */
export interface Message<
  K extends MessageKind = MessageKind,
  T extends string = string,
  D = unknown,
> {
  /** `'command'` or `'event'`. */
  readonly kind: K;
  /** The message type's name. */
  readonly type: T;
  /** The payload. */
  readonly data: D;
}

/** An intent, handled by exactly one receptor. */
export type Command<T extends string = string, D = unknown> = Message<'command', T, D>;
/** A fact, handled by any number of perspectives and event handlers. */
export type Event<T extends string = string, D = unknown> = Message<'event', T, D>;

/** A phantom marker that types a message's data without validating it at run time. */
export interface Payload<D> {
  /** Carries the payload's type only (never set at run time). */
  readonly '~payload': D | undefined;
}

/** Types a message's data with no run-time validation: `defineEvent('Opened', payload<{ id: string }>())`. */
export function payload<D>(): Payload<D> {
  return { '~payload': undefined };
}

/**
 * A message type: call it with data to create a message. With a schema, `I` is what you create
 * (the schema's input) and `D` what handlers receive (its output): the app validates and
 * transforms at dispatch, before anything is written.
 */
export interface MessageDefinition<K extends MessageKind, T extends string, D, I = D> {
  (...data: undefined extends I ? [data?: I] : [data: I]): Message<K, T, I>;
  /** `'command'` or `'event'`. */
  readonly kind: K;
  /** The message type's name. */
  readonly type: T;
  /** The schema its data is validated with, if one was given. */
  readonly schema: StandardSchemaV1<I, D> | undefined;
  /** The version of the data's shape (events; 1 unless declared). */
  readonly version: number;
  /** Upcasters by the version they read: `upcasters.get(1)` turns version-1 data into version 2. */
  readonly upcasters: ReadonlyMap<number, (data: unknown) => unknown>;
  /**
   * Which fields are personal data and whose (see `whizbang/protect`), if declared: sealed in the
   * ledger (events), masked in traces, tools and error texts (commands and events).
   */
  readonly protect: ProtectSpec | undefined;
  /** True when `message` is of this type. */
  is(message: Message): message is Message<K, T, D>;
}

/**
 * Marks an event's personal fields and their subject (the person they are about): with
 * `whizbang/protect` they are stored encrypted with the subject's key, and `forget(subject)`
 * leaves them unreadable everywhere.
 */
export interface ProtectSpec<D = any> {
  /** The subject (the person) an event's protected fields belong to: `(e) => e.data.customerId`. */
  readonly subject: (event: { readonly type: string; readonly data: D }) => string;
  /** Paths of the personal fields in the data: `['email', 'address']`, `'contact.phone'`. */
  readonly fields: readonly string[];
}

/** A command type. */
export type CommandDefinition<T extends string = string, D = any, I = D> = MessageDefinition<
  'command',
  T,
  D,
  I
>;
/** An event type. */
export type EventDefinition<T extends string = string, D = any, I = D> = MessageDefinition<
  'event',
  T,
  D,
  I
>;

/** The message a definition's handlers receive (data validated and transformed). */
export type MessageOf<Def> =
  Def extends MessageDefinition<infer K, infer T, infer D, any> ? Message<K, T, D> : never;

/** The message a definition creates (data as given, before validation). */
export type InputOf<Def> =
  Def extends MessageDefinition<infer K, infer T, any, infer I> ? Message<K, T, I> : never;

/** The data a schema (or a `payload<T>()`) gives: what handlers see. */
export type DataOf<S> =
  S extends StandardSchemaV1<unknown, infer O> ? O : S extends Payload<infer D> ? D : never;
/** The data a schema (or a `payload<T>()`) takes: what senders write. */
export type InputDataOf<S> =
  S extends StandardSchemaV1<infer In, unknown> ? In : S extends Payload<infer D> ? D : never;

/** Options of {@link defineEvent}: the shape's version, how to read older versions, personal fields. */
export interface EventOptions<D = any> {
  /** The current version of the data's shape (default 1). Stored with each event. */
  readonly version?: number;
  /**
   * Upcasters keyed by the version they read: `{ 1: (v1) => v2, 2: (v2) => v3 }`. Old events are
   * read as the current shape; every version below `version` needs one.
   */
  readonly upcast?: Readonly<Record<number, (data: any) => unknown>>;
  /** Personal fields and whose they are, encrypted by `whizbang/protect` (see "Personal data"). */
  readonly protect?: ProtectSpec<D>;
}

/**
 * Options of {@link defineCommand}: its personal fields, masked wherever the runtime shows the
 * command (traces, tools, error texts), as an event's are.
 */
export interface CommandOptions<D = any> {
  /** Personal fields and whose they are (see "Personal data"). */
  readonly protect?: ProtectSpec<D>;
}

const NO_UPCASTERS: ReadonlyMap<number, (data: unknown) => unknown> = new Map();

function define<K extends MessageKind, T extends string>(
  kind: K,
  type: T,
  shape: StandardSchemaV1<unknown, unknown> | Payload<unknown> | undefined,
  options: EventOptions = {},
): MessageDefinition<K, T, any, any> {
  if (typeof type !== 'string' || type.length === 0) {
    throw invalidArgument(`A ${kind} needs a non-empty type name, got ${JSON.stringify(type)}.`);
  }
  const version = options.version ?? 1;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw invalidArgument(`The version of "${type}" must be a whole number ≥ 1, got ${version}.`);
  }
  const upcasters = new Map<number, (data: unknown) => unknown>();
  for (const [from, fn] of Object.entries(options.upcast ?? {})) {
    const v = Number(from);
    if (!Number.isSafeInteger(v) || v < 1 || v >= version || typeof fn !== 'function') {
      throw invalidArgument(
        `"${type}" has an upcaster for version ${from}; upcasters read versions 1 to ${version - 1} and are functions.`,
      );
    }
    upcasters.set(v, fn);
  }
  for (let v = 1; v < version; v++) {
    if (!upcasters.has(v)) {
      throw invalidArgument(
        `"${type}" is at version ${version} but has no upcaster from version ${v}; add \`upcast: { ${v}: (data) => … }\`.`,
      );
    }
  }
  const protect = options.protect;
  if (
    protect !== undefined &&
    (typeof protect.subject !== 'function' ||
      !Array.isArray(protect.fields) ||
      protect.fields.length === 0 ||
      !protect.fields.every((f) => typeof f === 'string' && f.length > 0))
  ) {
    throw invalidArgument(
      `"${type}" has a bad \`protect\`: give \`subject: (e) => e.data.<id>\` and \`fields: ['email', …]\` (non-empty field paths).`,
    );
  }
  if (protect !== undefined) declareProtected(type, protect.fields);
  const schema = shape && '~standard' in shape ? shape : undefined;
  const create = (data?: unknown): Message<K, T, unknown> => ({ kind, type, data });
  return Object.assign(create, {
    kind,
    type,
    schema,
    version,
    upcasters: upcasters.size === 0 ? NO_UPCASTERS : upcasters,
    protect,
    is: (message: Message): message is Message<K, T, any> =>
      message.kind === kind && message.type === type,
  });
}

/**
 * Defines a command type.
 * @example
 * const Deposit = defineCommand('Deposit', payload<{ accountId: string; amount: number }>());
 * const OpenAccount = defineCommand('OpenAccount', z.object({ accountId: z.string() }));
 */
export function defineCommand<
  const T extends string,
  S extends StandardSchemaV1<unknown, any> | Payload<any>,
>(
  type: T,
  shape: S,
  options?: CommandOptions<DataOf<S>>,
): CommandDefinition<T, DataOf<S>, InputDataOf<S>>;
/** Defines a command type with no data: `defineCommand('Ping')`. */
export function defineCommand<const T extends string>(type: T): CommandDefinition<T, undefined>;
export function defineCommand(
  type: string,
  shape?: StandardSchemaV1<unknown, any> | Payload<any>,
  options?: CommandOptions,
): CommandDefinition<string, any> {
  return define('command', type, shape, options);
}

/**
 * Defines an event type. Give `version` and `upcast` when its shape changes.
 * @example
 * const Deposited = defineEvent('Deposited', payload<{ accountId: string; amount: number }>());
 * const Renamed = defineEvent('Renamed', payload<{ first: string; last: string }>(), {
 *   version: 2,
 *   upcast: { 1: (v1: { name: string }) => ({ first: v1.name.split(' ')[0], last: v1.name.split(' ')[1] ?? '' }) },
 * });
 */
export function defineEvent<
  const T extends string,
  S extends StandardSchemaV1<unknown, any> | Payload<any>,
>(
  type: T,
  shape: S,
  options?: EventOptions<DataOf<S>>,
): EventDefinition<T, DataOf<S>, InputDataOf<S>>;
/** Defines an event type with no data: `defineEvent('Pinged')`. */
export function defineEvent<const T extends string>(type: T): EventDefinition<T, undefined>;
export function defineEvent(
  type: string,
  shape?: StandardSchemaV1<unknown, any> | Payload<any>,
  options?: EventOptions,
): EventDefinition<string, any> {
  return define('event', type, shape, options);
}

/**
 * Validates `message` against `schema`, returning the message with the schema's output as data.
 * Synchronous when the schema is; throws {@link ValidationError} listing every issue.
 */
export function validate<M extends Message>(
  message: M,
  schema: StandardSchemaV1 | undefined,
): MaybePromise<M> {
  if (schema === undefined) return message;
  return chain(schema['~standard'].validate(message.data), (result) => {
    if (result.issues) {
      // Array.from: a vendor's path may be an array subclass with fields of its own
      const issues: ValidationIssue[] = Array.from(result.issues, (issue) =>
        issue.path
          ? {
              message: issue.message,
              path: Array.from(issue.path, (p) => (typeof p === 'object' ? p.key : p)),
            }
          : { message: issue.message },
      );
      // a schema may quote the values it refused: a protected message's are masked, by a module
      // loaded only then (the error is then a rejected promise)
      if (protectedFields(message.type) !== undefined)
        return import('./scrub.ts').then(({ scrubIssues }) => {
          throw new ValidationError(message.type, scrubIssues(issues, message));
        });
      throw new ValidationError(message.type, issues);
    }
    return result.value === message.data ? message : { ...message, data: result.value };
  });
}

/** True when `value` looks like a message (kind, type). */
export function isMessage(value: unknown): value is Message {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { kind?: unknown; type?: unknown };
  return (m.kind === 'command' || m.kind === 'event') && typeof m.type === 'string';
}
