/** What the playground needs to know about a sample domain to show it and run it. */
import type { Faker } from '@faker-js/faker';
import type {
  BuildOptions,
  CommandDefinition,
  EventDefinition,
  Perspective,
  RecordedEvent,
  StandardSchemaV1,
  Whizbang,
} from '../../../js/mod.ts';

/** A command the visitor can send from a form. */
export interface CommandSpec {
  readonly definition: CommandDefinition<string, any, any>;
  /**
   * The schema the form is generated from (zod, read as JSON Schema); without one the form is a
   * JSON field for the command's data.
   */
  readonly schema?: StandardSchemaV1;
  /** What the command asks for, in one line. */
  readonly summary: string;
  /** Example data; `ids` are the ids already in use in the ledger (accounts, todos). */
  readonly example: (faker: Faker, ids: readonly string[]) => Record<string, unknown>;
}

/** A receptor, as the domain's card lists it. */
export interface ReceptorInfo {
  readonly command: string;
  readonly stream: string;
  readonly emits: readonly string[];
}

/** A lens the playground reads: one perspective's models. */
export interface LensSpec {
  readonly label: string;
  readonly perspective: Perspective<any, any>;
  /** Columns shown, in order (keys of the model); without them, the keys the models have. */
  readonly columns?: readonly string[];
  /** The model's id in the perspective (what `lens.get` and a diff take). */
  readonly idOf: (model: any) => string;
}

/** A sample domain. */
export interface Domain {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly commands: readonly CommandSpec[];
  readonly events: readonly EventDefinition<string, any, any>[];
  readonly receptors: readonly ReceptorInfo[];
  /** Reactions that are not receptors: sagas and event handlers. */
  readonly reactions: readonly string[];
  readonly lenses: readonly LensSpec[];
  /** The ids a new command most likely refers to (accounts, lists), from a lens. */
  readonly ids: (app: Whizbang<any, any>) => Promise<string[]>;
  build(options: BuildOptions): Whizbang<any, any>;
  /**
   * Events to start from (a copy of another log, oldest first), appended once to an empty ledger
   * as they were recorded; the app's inline perspectives apply them.
   */
  readonly seed?: () => Promise<readonly RecordedEvent[]>;
  /** A running system's JetStream log to follow, read-only: the page sends no command then. */
  readonly live?: LiveLog;
}

/** A JetStream log reached over WebSocket. */
export interface LiveLog {
  /** `ws://host:port` of the nats-server's WebSocket listener. */
  readonly servers: string;
  /** The JetStream stream. */
  readonly stream: string;
  /** The subject prefix. */
  readonly prefix: string;
}
