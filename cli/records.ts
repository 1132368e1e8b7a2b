/**
 * The JSON-lines form of an event, one object a line: what `events --json` prints, `export` writes
 * and `import` reads. Every field of the stored event is kept, so an import is a faithful copy.
 */
import type { NewEvent, RecordedEvent } from '../js/mod.ts';
import { CliError } from './fail.ts';

/** One event as a line of JSON (no newline). */
export function toLine(e: RecordedEvent): string {
  return JSON.stringify({
    position: e.position,
    tenant: e.tenant,
    streamId: e.streamId,
    version: e.version,
    type: e.type,
    time: new Date(e.timestamp).toISOString(),
    timestamp: e.timestamp,
    messageId: e.messageId,
    correlationId: e.correlationId,
    causationId: e.causationId,
    data: e.data,
    ...(e.metadata === undefined ? {} : { metadata: e.metadata }),
  });
}

/** An event read back from a line: where it was, and what to append. */
export interface LineEvent {
  /** Its global position in the log it came from. */
  readonly position: number;
  /** Its tenant. */
  readonly tenant: string;
  /** Its stream. */
  readonly streamId: string;
  /** Its version in the stream. */
  readonly version: number;
  /** The event as an append takes it, identity and time kept. */
  readonly event: NewEvent;
}

const positiveInteger = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const text = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Reads one line (its number for the error); refuses anything that is not a whole event. */
export function fromLine(line: string, lineNumber: number): LineEvent {
  const bad = (why: string): CliError =>
    new CliError('MALFORMED_LINE', `Line ${lineNumber} is not an event: ${why}.`, {
      line: lineNumber,
    });
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw bad('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad('not an object');
  }
  const r = value as Record<string, unknown>;
  if (!positiveInteger(r.position)) throw bad('`position` must be a positive integer');
  if (!positiveInteger(r.version)) throw bad('`version` must be a positive integer');
  for (const field of ['tenant', 'streamId', 'type', 'messageId', 'correlationId', 'causationId']) {
    if (!text(r[field])) throw bad(`\`${field}\` must be a non-empty string`);
  }
  if (typeof r.timestamp !== 'number' || !Number.isFinite(r.timestamp)) {
    throw bad('`timestamp` must be a number (epoch ms)');
  }
  if (!('data' in r) || r.data === undefined) throw bad('`data` is missing');
  const metadata = r.metadata;
  if (
    metadata !== undefined &&
    (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
  ) {
    throw bad('`metadata` must be an object');
  }
  return {
    position: r.position,
    tenant: r.tenant as string,
    streamId: r.streamId as string,
    version: r.version,
    event: {
      type: r.type as string,
      data: r.data,
      messageId: r.messageId as string,
      correlationId: r.correlationId as string,
      causationId: r.causationId as string,
      timestamp: r.timestamp,
      ...(metadata === undefined ? {} : { metadata: metadata as Record<string, unknown> }),
    },
  };
}
