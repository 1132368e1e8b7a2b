/**
 * What the SQL ledgers share: the columns an event is read from, in one order, the event made from
 * such a row, and the coalesced wake-up of watchers.
 */

import type { NewEvent, RecordedEvent } from '../contracts/ledger.ts';
import { DEFAULT_TENANT } from '../messages/envelope.ts';
import { uuidv7 } from '../util/ids.ts';
import { platform } from '../util/platform.ts';

/**
 * Rows are read as arrays of values: a row object per event costs more than the event itself. A
 * column whose value the reader knows is not read (the tenant when it is the default, the stream in
 * `readStream`), and ids equal to the message id (the usual case) come back as NULL: every string
 * read is one more allocation.
 */
const CAUSE =
  'nullif(correlation_id, message_id) AS correlation_id, nullif(causation_id, message_id) AS causation_id';

/** The select list of a stream read; `time` is the SQL of the append time in epoch ms. */
export const streamColumns = (time: string): string =>
  `position, version, type, message_id, ${CAUSE}, ${time} AS time, data, metadata`;

/** The select list of a read across streams. */
export const allColumns = (time: string): string =>
  `position, nullif(tenant, '${DEFAULT_TENANT}') AS tenant, stream_id, version, type, message_id, ${CAUSE}, ${time} AS time, data, metadata`;

/** How a JSON column's value becomes the value (JSON.parse for text, nothing for parsed JSONB). */
export type ParseJson = (value: unknown) => unknown;

function event(
  type: unknown,
  data: unknown,
  streamId: unknown,
  version: unknown,
  position: unknown,
  tenant: unknown,
  messageId: unknown,
  correlationId: unknown,
  causationId: unknown,
  time: unknown,
  metadata: unknown,
): RecordedEvent {
  return {
    kind: 'event',
    type: type as string,
    data,
    streamId: streamId as string,
    version: Number(version),
    position: Number(position),
    tenant: (tenant ?? DEFAULT_TENANT) as string,
    messageId: messageId as string,
    correlationId: (correlationId ?? messageId) as string,
    causationId: (causationId ?? messageId) as string,
    timestamp: Number(time),
    metadata,
  } as RecordedEvent;
}

/** The ids and time an appended event is recorded with. */
export interface EventStamp {
  /** The event's message id: its own, or a new UUIDv7 at the append's time. */
  readonly messageId: string;
  /** Its correlation id: its own, or the message id. */
  readonly correlationId: string;
  /** Its causation id: its own, or the message id. */
  readonly causationId: string;
  /** When it happened, epoch ms: its own, or the append's time. */
  readonly timestamp: number;
}

/** The ids and time of an event appended at `now`: what it brings, the defaults for the rest. */
export function stampEvent(e: NewEvent, now: number): EventStamp {
  const messageId = e.messageId ?? uuidv7(now);
  return {
    messageId,
    correlationId: e.correlationId ?? messageId,
    causationId: e.causationId ?? messageId,
    timestamp: e.timestamp ?? now,
  };
}

/** The recorded event of an appended one, at the version and position the append gave it. */
export function recordedEvent(
  e: NewEvent,
  streamId: string,
  tenant: string,
  version: number,
  position: number,
  stamp: EventStamp,
): RecordedEvent {
  return {
    kind: 'event',
    type: e.type,
    data: e.data,
    streamId,
    version,
    position,
    tenant,
    messageId: stamp.messageId,
    correlationId: stamp.correlationId,
    causationId: stamp.causationId,
    timestamp: stamp.timestamp,
    metadata: e.metadata,
  } as RecordedEvent;
}

/** The event of a row of {@link streamColumns}. */
export function fromStreamRow(
  r: readonly unknown[],
  streamId: string,
  tenant: string,
  parse: ParseJson,
): RecordedEvent {
  return event(
    r[2],
    parse(r[7]),
    streamId,
    r[1],
    r[0],
    tenant,
    r[3],
    r[4],
    r[5],
    r[6],
    r[8] === null ? undefined : parse(r[8]),
  );
}

/** The event of a row of {@link allColumns}. */
export function fromAllRow(r: readonly unknown[], parse: ParseJson): RecordedEvent {
  return event(
    r[4],
    parse(r[9]),
    r[2],
    r[3],
    r[0],
    r[1],
    r[5],
    r[6],
    r[7],
    r[8],
    r[10] === null ? undefined : parse(r[10]),
  );
}

/** A ledger's watchers, told once per microtask however many commits land in it. */
export class Watchers {
  readonly #listeners = new Set<() => void>();
  #scheduled = false;

  /** How many listeners there are. */
  get size(): number {
    return this.#listeners.size;
  }

  /** Adds a listener. */
  add(listener: () => void): void {
    this.#listeners.add(listener);
  }

  /** Removes a listener. */
  delete(listener: () => void): void {
    this.#listeners.delete(listener);
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }

  /** Tells every watcher, on a later microtask; calls until then coalesce. */
  soon(): void {
    if (this.#scheduled || this.#listeners.size === 0) return;
    this.#scheduled = true;
    platform.queueMicrotask(() => {
      this.#scheduled = false;
      for (const listener of this.#listeners) listener();
    });
  }
}
