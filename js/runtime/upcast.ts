/**
 * Upcasting: events stored in an older shape are read as the current one. The shape's version is
 * stored in each event's metadata (`schemaVersion`, absent = 1); reads go through the definition's
 * upcasters, one version at a time, so every reader (receptor state, perspectives, subscriptions,
 * time travel) sees the current shape.
 */

import type {
  Ledger,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
} from '../contracts/ledger.ts';
import type { EventDefinition } from '../messages/message.ts';
import { WhizbangError } from '../util/errors.ts';
import { isThenable, type MaybePromise } from '../util/maybe.ts';

/** The metadata key that holds the version of an event's shape. */
export const SCHEMA_VERSION = 'schemaVersion';

/** The stored version of an event's shape (1 when not recorded). */
export function schemaVersionOf(event: RecordedEvent): number {
  const v = event.metadata?.[SCHEMA_VERSION];
  return typeof v === 'number' ? v : 1;
}

/** Reads `event` as the current shape of its definition (unchanged when already current or unknown). */
export function upcastEvent(
  event: RecordedEvent,
  definition: EventDefinition | undefined,
): RecordedEvent {
  if (definition === undefined) return event;
  const stored = schemaVersionOf(event);
  if (stored === definition.version) return event;
  if (stored > definition.version) {
    throw new WhizbangError(
      'UNKNOWN_EVENT_VERSION',
      `"${event.type}" at position ${event.position} (stream "${event.streamId}") was written at version ${stored}, ` +
        `but this app knows version ${definition.version}. Deploy the newer definition before reading it.`,
    );
  }
  let data = event.data;
  for (let v = stored; v < definition.version; v++) {
    try {
      data = definition.upcasters.get(v)!(data);
    } catch (cause) {
      throw new WhizbangError(
        'UPCAST_FAILED',
        `Upcasting "${event.type}" at position ${event.position} from version ${v} to ${v + 1} failed: ` +
          `${cause instanceof Error ? cause.message : String(cause)}. Fix the upcaster; the stored event is unchanged.`,
        { cause },
      );
    }
  }
  return {
    ...event,
    data,
    metadata: { ...event.metadata, [SCHEMA_VERSION]: definition.version },
  } as RecordedEvent;
}

/** A view of `ledger` whose reads return every event in its current shape. */
export function upcastingLedger(
  ledger: Ledger,
  definitions: ReadonlyMap<string, EventDefinition>,
): Ledger {
  const map = (events: RecordedEvent[]): RecordedEvent[] => {
    let out: RecordedEvent[] | undefined;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const up = upcastEvent(e, definitions.get(e.type));
      if (up !== e) {
        out ??= events.slice();
        out[i] = up;
      }
    }
    return out ?? events;
  };
  const read = (events: MaybePromise<RecordedEvent[]>): MaybePromise<RecordedEvent[]> =>
    isThenable<RecordedEvent[]>(events) ? Promise.resolve(events).then(map) : map(events);
  return {
    append: (streamId, events, options) => ledger.append(streamId, events, options),
    readStream: (streamId: string, options?: ReadStreamOptions) =>
      read(ledger.readStream(streamId, options)),
    readAll: (options?: ReadAllOptions) => read(ledger.readAll(options)),
    streamVersion: (streamId, options) => ledger.streamVersion(streamId, options),
    headPosition: () => ledger.headPosition(),
    watch: (listener) => ledger.watch(listener),
    ...(ledger.close === undefined ? {} : { close: () => ledger.close!() }),
  };
}
