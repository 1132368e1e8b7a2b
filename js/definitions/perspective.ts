/**
 * Perspectives: pure `apply(model, event) -> model` functions that keep read models. Returning
 * `null` deletes the model. Keyed by stream (default) or by any key across streams.
 */

import type { RecordedEvent } from '../contracts/ledger.ts';
import type { Where } from '../contracts/query.ts';
import type { EventDefinition, MessageOf } from '../messages/message.ts';
import { invalidArgument } from '../util/errors.ts';
import type { Principal } from './principal.ts';

/** When a perspective applies events: in the append's transaction, or after, from a subscription. */
export type PerspectiveMode = 'inline' | 'async';

/** A registered perspective. */
export interface Perspective<M = unknown, E extends RecordedEvent = RecordedEvent> {
  /** The perspective's name (where its models are stored). */
  readonly name: string;
  /** The definitions of the events it applies (their schemas validate published events). */
  readonly events: readonly EventDefinition[];
  /** The event types it applies. */
  readonly types: ReadonlySet<string>;
  /** The model id an event belongs to; undefined skips the event. */
  readonly key: (event: E) => string | undefined;
  /** The model before any event. */
  readonly initial: () => M;
  /** The model after `event` (`null` deletes it). */
  readonly apply: (model: M, event: E) => M | null;
  /** `'inline'` (in the append's transaction) or `'async'` (from a subscription). */
  readonly mode: PerspectiveMode;
  /** The fields its lens is queried by, kept in indexes by the driver (dotted paths). */
  readonly indexes: readonly string[];
  /** The models a principal may read, as a filter (see {@link PerspectiveDefinition.scope}). */
  readonly scope?: ((principal: Principal) => Where) | undefined;
}

/** The definition given to {@link definePerspective}. */
export interface PerspectiveDefinition<M, Defs extends readonly EventDefinition[]> {
  /** Unique name: the table / object store / lens it lives in. */
  readonly name: string;
  /** The events it applies. */
  readonly events: Defs;
  /** Partition key; default: the event's stream id (one model per stream). */
  readonly key?: (event: RecordedEvent<MessageOf<Defs[number]>>) => string | undefined;
  /** The model before any event. */
  readonly initial: () => M;
  /** The model after `event` (return `null` to delete it). */
  readonly apply: (model: M, event: RecordedEvent<MessageOf<Defs[number]>>) => M | null;
  /** Default `'inline'`: same transaction as the append. */
  readonly mode?: PerspectiveMode;
  /**
   * The fields its lens is queried by (`where`, `orderBy`), as dotted paths of identifiers
   * (`'status'`, `'owner.id'`): the driver keeps them in indexes. Other fields still work, by a
   * scan of the tenant's models.
   */
  readonly indexes?: readonly string[];
  /**
   * The models a principal may read, as a lens filter (`(p) => ({ members: { contains: p.userId } })`):
   * `scopedLens(app, perspective, principal)` answers only those, the filter joined to every query
   * and pushed down to the store with it. Index its fields.
   */
  readonly scope?: (principal: Principal) => Where;
}

const byStream = (event: RecordedEvent): string => event.streamId;

/**
 * Defines a perspective.
 * @example
 * const balances = definePerspective({
 *   name: 'balances',
 *   events: [Opened, Deposited],
 *   initial: () => ({ balance: 0 }),
 *   apply: (m, e) => (e.type === 'Deposited' ? { balance: m.balance + e.data.amount } : m),
 * });
 */
export function definePerspective<M, const Defs extends readonly EventDefinition[]>(
  definition: PerspectiveDefinition<M, Defs>,
): Perspective<M, RecordedEvent<MessageOf<Defs[number]>>> {
  const { name, events, initial, apply } = definition;
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(name)) {
    throw invalidArgument(
      `A perspective name must start with a letter or _ and use letters, digits, _ or - (≤ 63), got ${JSON.stringify(name)}.`,
    );
  }
  if (!Array.isArray(events) || events.length === 0 || events.some((d) => d?.kind !== 'event')) {
    throw invalidArgument(
      `Perspective "${name}" needs \`events\`: a non-empty list of defineEvent() definitions.`,
    );
  }
  if (typeof initial !== 'function' || typeof apply !== 'function') {
    throw invalidArgument(
      `Perspective "${name}" needs \`initial: () => model\` and \`apply: (model, event) => model\`.`,
    );
  }
  const mode = definition.mode ?? 'inline';
  if (mode !== 'inline' && mode !== 'async') {
    throw invalidArgument(
      `Perspective "${name}" has mode ${JSON.stringify(mode)}; use 'inline' or 'async'.`,
    );
  }
  const indexes = indexesOf(name, definition.indexes);
  return {
    name,
    events,
    types: new Set(events.map((d) => d.type)),
    key: (definition.key ?? byStream) as (
      event: RecordedEvent<MessageOf<Defs[number]>>,
    ) => string | undefined,
    initial,
    apply,
    mode,
    indexes,
    scope: definition.scope,
  };
}

const FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,62}(?:\.[A-Za-z_][A-Za-z0-9_]{0,62}){0,15}$/;

/** The declared index fields, checked: dotted identifiers (so every driver can name them in SQL). */
function indexesOf(name: string, indexes: readonly string[] | undefined): readonly string[] {
  if (indexes === undefined) return [];
  if (!Array.isArray(indexes) || indexes.length > 32) {
    throw invalidArgument(
      `Perspective "${name}" takes \`indexes\` as a list of at most 32 fields.`,
    );
  }
  for (const field of indexes) {
    if (typeof field !== 'string' || !FIELD.test(field)) {
      throw invalidArgument(
        `Perspective "${name}" cannot index ${JSON.stringify(field)}: an index field is a dotted path of identifiers (letters, digits, _), like 'status' or 'owner.id'.`,
      );
    }
  }
  return Object.freeze([...new Set(indexes)]);
}
