/**
 * One commit on the JetStream ledger: all events of one append in one message. The payload is JSON
 * (stream id, tenant and each event's type, data and identity); the headers say where the commit
 * sits: its first global position, its first version in its stream and how many events it holds.
 */

import type { MsgHdrs } from '@nats-io/nats-core';
import { invalidArgument } from '../../../js/kit/mod.ts';
import { type NewEvent, type RecordedEvent, uuidv7, WhizbangError } from '../../../js/mod.ts';

/** Header names of a commit. */
export const H = {
  position: 'Whizbang-Position',
  version: 'Whizbang-Version',
  count: 'Whizbang-Count',
} as const;

/** An event as stored inside a commit; correlation and causation are left out when they are the id. */
export interface StoredEvent {
  readonly type: string;
  readonly data: unknown;
  readonly id: string;
  readonly at: number;
  readonly corr?: string;
  readonly caus?: string;
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** The JSON payload of a commit. */
export interface CommitBody {
  readonly v: 1;
  readonly stream: string;
  readonly tenant: string;
  readonly events: readonly StoredEvent[];
}

/** Where a commit sits, read from its headers. */
export interface Placement {
  readonly position: number;
  readonly version: number;
  readonly count: number;
}

function int(h: MsgHdrs | undefined, name: string, seq: number): number {
  const value = Number(h?.get(name));
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new WhizbangError(
      'MALFORMED_MESSAGE',
      `Message ${seq} of the ledger stream has no valid "${name}" header: only the JetStream ledger may publish on its subjects.`,
    );
  }
  return value;
}

/** The placement of a stored commit. */
export function placement(h: MsgHdrs | undefined, seq: number): Placement {
  return {
    position: int(h, H.position, seq),
    version: int(h, H.version, seq),
    count: int(h, H.count, seq),
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The payload of a commit of `events`, and the events as stored (ids and timestamps given). */
export function encodeCommit(
  streamId: string,
  tenant: string,
  events: readonly NewEvent[],
): { body: Uint8Array; stored: StoredEvent[] } {
  const now = Date.now();
  const stored = events.map((e): StoredEvent => {
    if (typeof e?.type !== 'string' || e.type === '') {
      throw invalidArgument(
        `Every event needs a non-empty string type; got ${JSON.stringify(e?.type)} for stream "${streamId}".`,
      );
    }
    const id = e.messageId ?? uuidv7(now);
    return {
      type: e.type,
      data: e.data ?? null,
      id,
      at: e.timestamp ?? now,
      ...(e.correlationId === undefined || e.correlationId === id ? {} : { corr: e.correlationId }),
      ...(e.causationId === undefined || e.causationId === id ? {} : { caus: e.causationId }),
      ...(e.metadata === undefined ? {} : { meta: e.metadata }),
    };
  });
  const commit: CommitBody = { v: 1, stream: streamId, tenant, events: stored };
  let json: string;
  try {
    json = JSON.stringify(commit);
  } catch (error) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `The events for stream "${streamId}" cannot be stored as JSON (${(error as Error).message}); nothing was written.`,
      { cause: error },
    );
  }
  return { body: encoder.encode(json), stored };
}

/** The recorded event of the `i`th stored event of a commit at `at`, with its data and metadata. */
function eventAt(
  s: StoredEvent,
  i: number,
  streamId: string,
  tenant: string,
  at: Placement,
  data: unknown,
  metadata: Readonly<Record<string, unknown>> | undefined,
): RecordedEvent {
  return {
    kind: 'event',
    type: s.type,
    data,
    streamId,
    version: at.version + i,
    position: at.position + i,
    tenant,
    messageId: s.id,
    correlationId: s.corr ?? s.id,
    causationId: s.caus ?? s.id,
    timestamp: s.at,
    metadata,
  } as RecordedEvent;
}

/** The events just appended, as recorded at `at`: their data and metadata are the caller's own. */
export function appended(
  streamId: string,
  tenant: string,
  events: readonly NewEvent[],
  stored: readonly StoredEvent[],
  at: Placement,
): RecordedEvent[] {
  return stored.map((s, i) =>
    eventAt(s, i, streamId, tenant, at, events[i]!.data, events[i]!.metadata),
  );
}

/** The events of a stored commit at `at`, or why the payload is not a commit of `at.count` events. */
export function recordedFrom(data: Uint8Array, at: Placement): RecordedEvent[] | string {
  let body: CommitBody;
  try {
    body = JSON.parse(decoder.decode(data)) as CommitBody;
  } catch {
    return 'its payload is not JSON';
  }
  if (body === null || typeof body !== 'object' || body.v !== 1) return 'not a commit payload';
  if (typeof body.stream !== 'string' || body.stream === '') return 'no stream id';
  if (typeof body.tenant !== 'string' || body.tenant === '') return 'no tenant';
  const events = body.events;
  if (!Array.isArray(events) || events.length !== at.count)
    return 'its event count differs from its header';
  for (const e of events) {
    if (e === null || typeof e !== 'object') return 'an event is not an object';
    if (typeof e.type !== 'string' || e.type === '') return 'an event has no type';
    if (typeof e.id !== 'string' || e.id === '') return 'an event has no id';
    if (typeof e.at !== 'number') return 'an event has no time';
  }
  return events.map((e, i) => eventAt(e, i, body.stream, body.tenant, at, e.data, e.meta));
}

/** The events of a stored commit, with their versions and positions. */
export function recorded(data: Uint8Array, at: Placement, seq: number): RecordedEvent[] {
  let body: CommitBody;
  try {
    body = JSON.parse(decoder.decode(data)) as CommitBody;
  } catch (cause) {
    throw new WhizbangError(
      'MALFORMED_MESSAGE',
      `Message ${seq} of the ledger stream is not a commit: only the JetStream ledger may publish on its subjects.`,
      { cause },
    );
  }
  return body.events.map((e, i) => eventAt(e, i, body.stream, body.tenant, at, e.data, e.meta));
}
