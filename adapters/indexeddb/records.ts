/**
 * Records as they sit in the object stores, and their conversions. An event keeps its payload
 * as JSON text (as the SQLite driver does): the size limit is measured on it, and what is read
 * back is what any other driver would return. Compaction leaves an event's record in place
 * without its payload (`compacted`): positions and versions are never free to be taken again.
 */

import { type EncodedPayload, recordedEvent, stampEvent } from '../../js/kit/mod.ts';
import type { NewEvent, RecordedEvent, StoredModel } from '../../js/mod.ts';
import type { FieldEntry } from './fields.ts';

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
  /** Index entries of its declared fields (see fields.ts). */
  readonly ix?: readonly FieldEntry[];
}

/** An event as stored in the events store, and as the append answers it. */
export function toRecord(
  streamId: string,
  tenant: string,
  e: NewEvent,
  payload: EncodedPayload,
  version: number,
  position: number,
  now: number,
): { readonly record: EventRecord; readonly event: RecordedEvent } {
  const { data, metadata } = payload;
  const stamp = stampEvent(e, now);
  const record: EventRecord = {
    position,
    tenant,
    streamId,
    version,
    type: e.type,
    messageId: stamp.messageId,
    correlationId: stamp.correlationId,
    causationId: stamp.causationId,
    timestamp: stamp.timestamp,
    data,
    ...(metadata === null ? {} : { metadata }),
  };
  const event = recordedEvent(e, streamId, tenant, version, position, stamp);
  return { record, event };
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
