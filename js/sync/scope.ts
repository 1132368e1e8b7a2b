/**
 * Scoped pulls by stream group, on the wire: a replica in server mode that reads through its
 * server asks for its scope (the groups its principal may see now), for the events of some of
 * those groups after a position, or for one stream of them; the server answers with what it read
 * from the shared log, or refuses (`FORBIDDEN`: a group or stream outside the scope). Both travel
 * as JSON; whatever arrives is checked here before anything uses it.
 */
import type { RecordedEvent } from '../contracts/ledger.ts';
import { WhizbangError } from '../util/errors.ts';

/** What a replica asks its server for when it reads through it. */
export type PullRequest =
  | {
      /** The groups the principal may see now. */
      readonly pull: 'scope';
    }
  | {
      /** Events of `groups` (each in the scope) by position, from `from` to `to`, at most `limit`. */
      readonly pull: 'groups';
      readonly groups: readonly string[];
      readonly from: number;
      readonly to?: number;
      readonly limit: number;
    }
  | {
      /** One stream's events (its group in the scope). */
      readonly pull: 'stream';
      readonly streamId: string;
    };

/** The server's answer to a {@link PullRequest}. */
export type PullAnswer =
  | {
      /** The groups of the principal's scope. */
      readonly status: 'scope';
      readonly groups: readonly string[];
    }
  | {
      /** The events asked for, in order (on the wire as `wireEvent` writes them). */
      readonly status: 'events';
      readonly events: readonly RecordedEvent[];
      /** Set when there may be more after the last event (a full page, or one cut to fit). */
      readonly more?: boolean;
    }
  | {
      /** Refused (`FORBIDDEN`, `MALFORMED_MESSAGE`, …): nothing was read. */
      readonly status: 'refused';
      readonly code: string;
      readonly message: string;
    };

const MAX_TEXT = 200;
const MAX_GROUPS = 1000;
const MAX_LIMIT = 10_000;
const MAX_EVENTS = 100_000;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isText = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT;

const isWhole = (v: unknown, min: number): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

function malformed(what: string): WhizbangError {
  return new WhizbangError('MALFORMED_MESSAGE', `A sync pull request ${what}; nothing was read.`);
}

/** Checks what arrived as a pull request (parsed JSON); throws `MALFORMED_MESSAGE` otherwise. */
export function parsePullRequest(value: unknown): PullRequest {
  if (!isRecord(value)) throw malformed('is not a JSON object');
  switch (value.pull) {
    case 'scope':
      return { pull: 'scope' };
    case 'stream':
      if (!isText(value.streamId)) throw malformed('has no valid `streamId`');
      return { pull: 'stream', streamId: value.streamId };
    case 'groups': {
      const groups = value.groups;
      if (!Array.isArray(groups) || groups.length > MAX_GROUPS || !groups.every(isText)) {
        throw malformed(`has no valid \`groups\` (up to ${MAX_GROUPS} names)`);
      }
      if (!isWhole(value.from, 1)) throw malformed('has no valid `from` (a position ≥ 1)');
      if (value.to !== undefined && !isWhole(value.to, 0)) throw malformed('has an invalid `to`');
      if (!isWhole(value.limit, 1) || value.limit > MAX_LIMIT) {
        throw malformed(`has no valid \`limit\` (1 to ${MAX_LIMIT})`);
      }
      return {
        pull: 'groups',
        groups: groups as string[],
        from: value.from,
        ...(value.to === undefined ? {} : { to: value.to as number }),
        limit: value.limit,
      };
    }
    default:
      throw malformed('names no known `pull` (scope, groups or stream)');
  }
}

function eventOf(v: unknown): RecordedEvent | undefined {
  if (!isRecord(v) || !('data' in v)) return undefined;
  const { streamId, version, position, tenant, type, messageId } = v;
  if (!isText(streamId) || !isText(tenant) || !isText(type) || !isText(messageId)) return undefined;
  // left out on the wire when they are the event's own id
  const correlationId = v.correlationId ?? messageId;
  const causationId = v.causationId ?? messageId;
  if (!isText(correlationId) || !isText(causationId)) return undefined;
  if (!isWhole(version, 1) || !isWhole(position, 1) || typeof v.timestamp !== 'number') {
    return undefined;
  }
  if (v.metadata !== undefined && !isRecord(v.metadata)) return undefined;
  return {
    kind: 'event',
    streamId,
    version,
    position,
    tenant,
    type,
    data: v.data,
    messageId,
    correlationId,
    causationId,
    timestamp: v.timestamp,
    metadata: v.metadata as Record<string, unknown> | undefined,
  } as RecordedEvent;
}

/** An event as a pull's answer carries it: no `kind`, correlation and causation left out when they are its id. */
function wireEvent(e: RecordedEvent): Record<string, unknown> {
  const { kind: _kind, correlationId, causationId, metadata, ...rest } = e;
  return {
    ...rest,
    ...(correlationId === e.messageId ? {} : { correlationId }),
    ...(causationId === e.messageId ? {} : { causationId }),
    ...(metadata === undefined ? {} : { metadata }),
  };
}

/** A pull's answer as JSON text, its events compact (what {@link parsePullAnswer} reads back). */
export function encodePullAnswer(answer: PullAnswer): string {
  if (answer.status !== 'events') return JSON.stringify(answer);
  return JSON.stringify({ ...answer, events: answer.events.map(wireEvent) });
}

/** Checks a server's answer to a pull (parsed JSON); throws `MALFORMED_MESSAGE` otherwise. */
export function parsePullAnswer(value: unknown): PullAnswer {
  const bad = (): WhizbangError =>
    new WhizbangError(
      'MALFORMED_MESSAGE',
      'The sync server answered a pull with something unreadable.',
    );
  if (!isRecord(value)) throw bad();
  switch (value.status) {
    case 'scope': {
      const groups = value.groups;
      if (!Array.isArray(groups) || !groups.every(isText)) throw bad();
      return { status: 'scope', groups: groups as string[] };
    }
    case 'events': {
      const list = value.events;
      if (!Array.isArray(list) || list.length > MAX_EVENTS) throw bad();
      const events: RecordedEvent[] = [];
      for (const item of list) {
        const e = eventOf(item);
        if (e === undefined) throw bad();
        events.push(e);
      }
      return value.more === true
        ? { status: 'events', events, more: true }
        : { status: 'events', events };
    }
    case 'refused':
      if (typeof value.code !== 'string' || typeof value.message !== 'string') throw bad();
      return { status: 'refused', code: value.code, message: value.message };
    default:
      throw bad();
  }
}
