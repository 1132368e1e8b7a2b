/** Turns what an observer sees (live envelopes, errors) into the trace store's plain JSON records. */

import type { RecordedEvent } from '../contracts/ledger.ts';
import type { Dispatched } from '../contracts/observer.ts';
import { type Hop, hopElapsed } from '../messages/envelope.ts';
import type { Message } from '../messages/message.ts';
import { masked } from '../messages/protected.ts';
import { scrubText } from '../messages/scrub.ts';
import { now } from '../util/platform.ts';
import type { TracedEnvelope, TracedError, TracedEvent, TracedHop } from './types.ts';

/**
 * A hop's duration. A step that failed before it was ended is measured up to `reading` (a
 * `performance.now()` reading), now by default.
 */
export function hopDuration(hop: Hop, reading: number = now()): number {
  return hopElapsed(hop, reading);
}

const bigints = (_key: string, value: unknown): unknown =>
  typeof value === 'bigint' ? value.toString() : value;

/** A JSON copy of `value`: BigInts become strings, what JSON drops is dropped, `undefined` is `null`. */
export function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const type = typeof value;
  if (type === 'string' || type === 'boolean') return value;
  if (type === 'number') return Number.isFinite(value) ? value : null;
  try {
    const text = JSON.stringify(value, bigints);
    return text === undefined ? null : JSON.parse(text);
  } catch (error) {
    return `[not JSON: ${error instanceof Error ? error.message : 'unserializable'}]`;
  }
}

/**
 * The name, message and code of anything thrown; the clear values of the protected fields of
 * `about` (the message it was thrown for) shown as `'[redacted]'` in its text.
 */
export function toTracedError(error: unknown, about?: Message): TracedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: scrubText(error.message, about),
      code: typeof code === 'string' ? code : null,
    };
  }
  let message: string;
  try {
    message = typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
  } catch {
    message = Object.prototype.toString.call(error);
  }
  return { name: 'Error', message: scrubText(message, about), code: null };
}

function toHop(hop: Hop, reading: number): TracedHop {
  return {
    where: hop.where,
    service: hop.service,
    topic: hop.topic,
    streamId: hop.streamId ?? null,
    at: hop.at,
    durationMs: hopDuration(hop, reading),
    decisions: hop.decisions.map((d) => ({
      policy: d.policy,
      decision: d.decision,
      detail: d.detail ?? null,
    })),
    traceparent: hop.traceparent,
  };
}

/** The identity and place of a recorded event (its data stays in the ledger). */
export function toTracedEvent(e: RecordedEvent): TracedEvent {
  return {
    type: e.type,
    streamId: e.streamId,
    version: e.version,
    position: e.position,
    messageId: e.messageId,
    correlationId: e.correlationId,
    causationId: e.causationId,
    tenant: e.tenant,
    timestamp: e.timestamp,
  };
}

/** How a recorder shows a message's data: as `redact` returns it, or whole with `false`. */
export type Redaction =
  | false
  | (<M extends { readonly type: string; readonly data: unknown }>(message: M) => M);

/**
 * A plain JSON copy of a dispatched envelope, with the events it appended. Its message's protected
 * fields (as its definition declares them) are shown as `'[redacted]'`, in its data and in its
 * error's text, unless `redact` is `false`; a `redact` function is applied besides.
 */
export function toTracedEnvelope(dispatched: Dispatched, redact?: Redaction): TracedEnvelope {
  const { envelope, events } = dispatched;
  const clear = redact === false;
  const message = clear
    ? envelope.message
    : redact === undefined
      ? masked(envelope.message)
      : redact(masked(envelope.message));
  const reading = now();
  const hops = envelope.hops.map((h) => toHop(h, reading));
  let durationMs = 0;
  for (const h of hops) durationMs += h.durationMs;
  return {
    message: {
      kind: message.kind,
      type: message.type,
      data: toPlain(message.data),
    },
    messageId: envelope.messageId,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    streamId: envelope.streamId ?? null,
    tenant: envelope.tenant,
    timestamp: envelope.timestamp,
    traceId: envelope.traceId,
    hops,
    durationMs,
    error:
      'error' in dispatched
        ? toTracedError(dispatched.error, clear ? undefined : envelope.message)
        : null,
    events: events.map(toTracedEvent),
  };
}
