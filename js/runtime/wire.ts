/** Envelopes as they leave the process (outbox, transport) and as they come back in. */

import type { RecordedEvent } from '../contracts/ledger.ts';
import type { OutboxRecord } from '../contracts/outbox.ts';
import type { WireEnvelope, WireHop } from '../contracts/transport.ts';
import { createEnvelope, type Envelope, type Hop } from '../messages/envelope.ts';
import type { Message } from '../messages/message.ts';
import { WhizbangError } from '../util/errors.ts';
import { parseTraceparent, spanId } from '../util/ids.ts';

/** The traceparent of an envelope's newest hop (a fresh span of its trace when it has none). */
export function traceparentOf(envelope: Envelope): string {
  const hop = envelope.hops[envelope.hops.length - 1];
  return hop?.traceparent ?? `00-${envelope.traceId}-${spanId()}-01`;
}

function wireHops(hops: readonly Hop[]): WireHop[] {
  return hops.map((h) =>
    typeof (h as { toJSON?: unknown }).toJSON === 'function'
      ? (h as unknown as { toJSON(): WireHop }).toJSON()
      : h,
  );
}

/** A command (or any message) envelope as it crosses a process boundary. */
export function wireEnvelope(envelope: Envelope): WireEnvelope {
  return {
    message: envelope.message,
    messageId: envelope.messageId,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    ...(envelope.streamId === undefined ? {} : { streamId: envelope.streamId }),
    tenant: envelope.tenant,
    timestamp: envelope.timestamp,
    traceparent: traceparentOf(envelope),
    hops: wireHops(envelope.hops),
  };
}

/** A recorded event as it crosses a process boundary, caused by `parent`'s step. */
export function wireEvent(event: RecordedEvent, parent: Envelope): WireEnvelope {
  return {
    message: { kind: 'event', type: event.type, data: event.data },
    messageId: event.messageId,
    correlationId: event.correlationId,
    causationId: event.causationId,
    streamId: event.streamId,
    tenant: event.tenant,
    timestamp: event.timestamp,
    traceparent: traceparentOf(parent),
    hops: [],
    version: event.version,
    position: event.position,
  };
}

/** A new outbox record for an envelope. */
export function outboxRecord(topic: string, envelope: WireEnvelope): OutboxRecord {
  const now = Date.now();
  return {
    id: envelope.messageId,
    topic,
    envelope,
    attempts: 0,
    enqueuedAt: now,
    availableAt: now,
  };
}

/** An incoming envelope as this process's own: same identity, trace continued, earlier hops kept. */
export function fromWire(wire: WireEnvelope): Envelope {
  const trace = parseTraceparent(wire.traceparent);
  const envelope = createEnvelope(wire.message as Message, {
    messageId: wire.messageId,
    correlationId: wire.correlationId,
    causationId: wire.causationId,
    tenant: wire.tenant,
    ...(wire.streamId === undefined ? {} : { streamId: wire.streamId }),
    ...(trace === undefined ? {} : { traceId: trace.traceId }),
  });
  for (const hop of wire.hops) envelope.hops.push({ ...hop, decisions: [...hop.decisions] });
  return envelope;
}

/** An incoming event envelope as the recorded event its handlers expect. */
export function recordedFromWire(wire: WireEnvelope): RecordedEvent {
  return {
    kind: 'event',
    type: wire.message.type,
    data: wire.message.data,
    streamId: wire.streamId ?? '',
    version: wire.version ?? 0,
    position: wire.position ?? 0,
    tenant: wire.tenant,
    messageId: wire.messageId,
    correlationId: wire.correlationId,
    causationId: wire.causationId,
    timestamp: wire.timestamp,
    metadata: undefined,
  } as RecordedEvent;
}

/** The error for a route to the outbox on a driver that keeps none. */
export function noOutbox(driver: string): WhizbangError {
  return new WhizbangError(
    'INVALID_ARGUMENT',
    `The "${driver}" driver keeps no outbox, so messages cannot be routed out of the process. Use a driver with an outbox (memory, SQLite, IndexedDB, PostgreSQL).`,
  );
}
