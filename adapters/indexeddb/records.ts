/**
 * Records as they sit in the object stores, and their conversions. An event keeps its payload
 * as JSON text (as the SQLite driver does): the size limit is measured on it, and what is read
 * back is what any other driver would return. Compaction leaves an event's record in place
 * without its payload (`compacted`): positions and versions are never free to be taken again.
 */

/** An event in the `events` store. */
export interface EventRecord {
  readonly position: number;
  readonly tenant: string;
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly messageId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly timestamp: number;
  /** The data as JSON text; absent once compacted. */
  readonly data?: string;
  /** The metadata as JSON text; absent when the event has none. */
  readonly metadata?: string;
  /** Set when compaction dropped the payload: readers skip the record. */
  readonly compacted?: true;
}

/** A read model in the `perspectives` store. */
export interface ModelRecord extends StoredModel {
  readonly perspective: string;
}

/** The event a record holds. */
export function toRecorded(r: EventRecord): RecordedEvent {
  return {
    kind: 'event',
    type: r.type,
    data: JSON.parse(r.data!),
    streamId: r.streamId,
    version: r.version,
    position: r.position,
    tenant: r.tenant,
    messageId: r.messageId,
    correlationId: r.correlationId,
    causationId: r.causationId,
    timestamp: r.timestamp,
    metadata: r.metadata === undefined ? undefined : JSON.parse(r.metadata),
  } as RecordedEvent;
}

/** Events from records, in the order given, appended to `into`; compacted ones are skipped. */
export function toRecordedAll(
  records: readonly EventRecord[],
  into: RecordedEvent[] = [],
): RecordedEvent[] {
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.compacted !== true) into.push(toRecorded(r));
  }
  return into;
}

/** The stored model a record holds (without its perspective name). */
export function toModel(r: ModelRecord): StoredModel {
  return {
    id: r.id,
    tenant: r.tenant,
    model: r.model,
    version: r.version,
    position: r.position,
    updatedAt: r.updatedAt,
  };
}

import type { RecordedEvent, StoredModel } from '../../js/mod.ts';
