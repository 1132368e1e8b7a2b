/**
 * One commit on the JetStream ledger: all events of one append in one message. The payload is JSON
 * (stream id, tenant and each event's type, data and identity); the headers say where the commit
 * sits: its first global position, its first version in its stream and how many events it holds.
 */

import type { MsgHdrs } from '@nats-io/nats-core';
import { type RecordedEvent, WhizbangError } from '../../js/mod.ts';

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

const decoder = new TextDecoder();

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
  return body.events.map(
    (e, i) =>
      ({
        kind: 'event',
        type: e.type,
        data: e.data,
        streamId: body.stream,
        version: at.version + i,
        position: at.position + i,
        tenant: body.tenant,
        messageId: e.id,
        correlationId: e.corr ?? e.id,
        causationId: e.caus ?? e.id,
        timestamp: e.at,
        metadata: e.meta,
      }) as RecordedEvent,
  );
}
