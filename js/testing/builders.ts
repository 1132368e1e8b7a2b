/**
 * Test data builders over faker: domain messages from your recipes, envelopes and recorded events
 * with ids, positions, versions and times. Seeded, they build the same data on every run. Faker
 * is yours to pass in (`builders(faker)`, typed as the instance you give): nothing here imports
 * `@faker-js/faker`, not even its types.
 */
import type { RecordedEvent, RecordedEventBase } from '../contracts/ledger.ts';
import type { Envelope, Hop } from '../messages/envelope.ts';
import { DEFAULT_TENANT } from '../messages/envelope.ts';
import type {
  Event,
  InputOf,
  Message,
  MessageDefinition,
  MessageKind,
} from '../messages/message.ts';
import { invalidArgument } from '../util/errors.ts';

/** The part of a faker instance the builders use; any `Faker` from `@faker-js/faker` fits. */
export interface FakerLike {
  /** Seeds the generator. */
  seed(seed: number): unknown;
  /** Numbers (faker's `number.int`). */
  readonly number: { int(options: { min: number; max: number }): number };
}

/** Options of {@link builders}. */
export interface BuilderOptions {
  /** Seeds faker (the instance given is re-seeded) so that every run builds the same data. */
  readonly seed?: number;
  /** Where the builders' clock starts (default 2025-01-01T00:00:00Z); each thing built is a little later. */
  readonly now?: number | Date;
  /** The tenant of what is built (default `'default'`). */
  readonly tenant?: string;
  /** The stream recorded events go to unless told (default: one made up per builders). */
  readonly streamId?: string;
}

/** Any message definition (of a command or an event). */
export type AnyDefinition = MessageDefinition<MessageKind, string, any, any>;
/** The data a definition's messages are created with. */
export type RecipeData<Def extends AnyDefinition> = InputOf<Def>['data'];
/** Makes a message's data from faker. */
export type Recipe<F, Def extends AnyDefinition> = (faker: F) => RecipeData<Def>;
/** Builds a message from its recipe, with fields of your own over the recipe's. */
export type Factory<Def extends AnyDefinition> = (
  overrides?: Partial<RecipeData<Def>>,
) => InputOf<Def>;

/** What a built message or event follows from: its correlation, cause and trace carry over. */
export interface Cause {
  /** The id of the message that caused it. */
  readonly messageId: string;
  /** The id of its chain. */
  readonly correlationId: string;
  /** Its trace id. */
  readonly traceId?: string;
}

/** Fields of an envelope to set instead of making them up. */
export type EnvelopeOverrides = Partial<Omit<Envelope, 'message' | 'hops'>> & {
  readonly hops?: Hop[];
  /** Follow from this envelope or event: same correlation (and trace), caused by its message id. */
  readonly causedBy?: Cause;
};

/** Fields of a recorded event to set instead of making them up. */
export type RecordedEventOverrides = Partial<Omit<RecordedEventBase, 'kind'>> & {
  readonly causedBy?: Cause;
};

/** Builders over one faker instance, one clock and one sequence of positions. */
export interface Builders<F extends FakerLike> {
  /** The faker instance the builders use. */
  readonly faker: F;
  /** A message of `definition` with data from `recipe`, and `overrides` over it. */
  build<Def extends AnyDefinition>(
    definition: Def,
    recipe: Recipe<F, Def>,
    overrides?: Partial<RecipeData<Def>>,
  ): InputOf<Def>;
  /** A reusable builder of one definition's messages: `anOpened({ owner: 'Ada' })`. */
  factory<Def extends AnyDefinition>(definition: Def, recipe: Recipe<F, Def>): Factory<Def>;
  /** An envelope around `message`: a UUIDv7 id, a time on the clock, a trace id, no hops. */
  anEnvelope<M extends Message>(message: M, overrides?: EnvelopeOverrides): Envelope<M>;
  /**
   * `event` as the ledger records it: the next global position, the next version of its stream
   * (counted per tenant and stream), ids and a time.
   */
  aRecordedEvent<E extends Event>(event: E, overrides?: RecordedEventOverrides): RecordedEvent<E>;
  /** A UUIDv7 at the builders' clock. */
  uuid(): string;
}

const START = Date.UTC(2025, 0, 1);

/**
 * Builders over your faker instance (seeded when `seed` is given).
 * @example
 * import { faker } from '@faker-js/faker';
 * const b = builders(faker, { seed: 42 });
 * const opened = b.build(AccountOpened, (f) => ({ accountId: f.string.uuid(), owner: f.person.fullName(), overdraftLimit: 0 }));
 * const recorded = b.aRecordedEvent(opened, { streamId: `account-${opened.data.accountId}` });
 */
export function builders<F extends FakerLike>(faker: F, options: BuilderOptions = {}): Builders<F> {
  if (typeof faker?.number?.int !== 'function' || typeof faker.seed !== 'function') {
    throw invalidArgument(
      'builders() takes a faker instance: the `faker` export of @faker-js/faker, or a `new Faker(…)`.',
    );
  }
  if (options.seed !== undefined) faker.seed(options.seed);
  const int = (min: number, max: number): number => faker.number.int({ min, max });
  const hex = (digits: number): string => {
    let out = '';
    for (let left = digits; left > 0; left -= 6) {
      const n = Math.min(6, left);
      out += int(0, 16 ** n - 1)
        .toString(16)
        .padStart(n, '0');
    }
    return out;
  };
  let clock = options.now === undefined ? START : new Date(options.now).getTime();
  if (!Number.isFinite(clock))
    throw invalidArgument(`builders(): now is not a time: ${options.now}.`);
  const tick = (): number => {
    clock += int(1, 1000);
    return clock;
  };
  const uuidAt = (ms: number): string => {
    const t = ms.toString(16).padStart(12, '0');
    const variant = (8 + int(0, 3)).toString(16);
    return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
  };
  const tenant = options.tenant ?? DEFAULT_TENANT;
  const streamId = options.streamId ?? `stream-${hex(8)}`;
  let position = 0;
  const versions = new Map<string, number>();

  const build = <Def extends AnyDefinition>(
    definition: Def,
    recipe: Recipe<F, Def>,
    overrides?: Partial<RecipeData<Def>>,
  ): InputOf<Def> => {
    if (typeof definition !== 'function' || typeof definition.type !== 'string') {
      throw invalidArgument('build() takes a definition made by defineCommand() or defineEvent().');
    }
    const data: unknown = recipe(faker);
    const merged =
      overrides !== undefined && isRecord(data) && isRecord(overrides)
        ? { ...data, ...overrides }
        : (overrides ?? data);
    return (definition as unknown as (d: unknown) => InputOf<Def>)(merged);
  };

  return {
    faker,
    build,
    factory: (definition, recipe) => (overrides) => build(definition, recipe, overrides),
    anEnvelope<M extends Message>(message: M, overrides: EnvelopeOverrides = {}): Envelope<M> {
      const { causedBy, ...fields } = overrides;
      const timestamp = fields.timestamp ?? tick();
      const messageId = fields.messageId ?? uuidAt(timestamp);
      return {
        message,
        messageId,
        correlationId: causedBy?.correlationId ?? messageId,
        causationId: causedBy?.messageId ?? messageId,
        streamId: undefined,
        tenant,
        timestamp,
        traceId: causedBy?.traceId ?? hex(32),
        hops: [],
        ...fields,
      };
    },
    aRecordedEvent<E extends Event>(
      event: E,
      overrides: RecordedEventOverrides = {},
    ): RecordedEvent<E> {
      if (event?.kind !== 'event') {
        throw invalidArgument(
          'aRecordedEvent() takes an event made by a defineEvent() definition.',
        );
      }
      const { causedBy, ...fields } = overrides;
      const stream = fields.streamId ?? streamId;
      const of = `${fields.tenant ?? tenant}\u0000${stream}`;
      const version = fields.version ?? (versions.get(of) ?? 0) + 1;
      versions.set(of, Math.max(version, versions.get(of) ?? 0));
      position = Math.max(fields.position ?? position + 1, position);
      const timestamp = fields.timestamp ?? tick();
      const messageId = fields.messageId ?? uuidAt(timestamp);
      const recorded: RecordedEventBase & Pick<Event, 'type' | 'data'> = {
        kind: 'event',
        type: event.type,
        data: event.data,
        streamId: stream,
        version,
        position: fields.position ?? position,
        tenant,
        messageId,
        correlationId: causedBy?.correlationId ?? messageId,
        causationId: causedBy?.messageId ?? messageId,
        timestamp,
        metadata: undefined,
        ...fields,
      };
      return recorded as RecordedEvent<E>;
    },
    uuid: () => uuidAt(tick()),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
