/**
 * What a replica and an authoritative sync server say to each other: a push request (one pending
 * command, with the events the replica decided for it) and the server's answer. Both travel as
 * JSON; whatever arrives is checked here before anything uses it.
 */
import { WhizbangError } from '../util/errors.ts';
import type { MaybePromise } from '../util/maybe.ts';
import type { PendingCommand } from './records.ts';
import type { PullAnswer, PullRequest } from './scope.ts';

/** Who sends a command, as the server knows it from the authenticated connection. */
export type { Principal } from '../definitions/principal.ts';

/** An event the replica decided, proposed with its id: the server keeps the id when it decides the same. */
export interface ProposedEvent {
  /** The event's id in the replica's ledger. */
  readonly messageId: string;
  /** Its type. */
  readonly type: string;
  /** Its payload. */
  readonly data: unknown;
}

/** One pending command pushed to the server. */
export interface PushRequest {
  /** The pending commit's id (the replica's bookkeeping). */
  readonly id: string;
  /** The tenant the replica decided it in: refused unless it is the principal's. */
  readonly tenant: string;
  /** The stream the replica appended to (the server finds the stream by the receptor itself). */
  readonly streamId: string;
  /** The command, decided again by the server on the shared log's state. */
  readonly command: PendingCommand;
  /** What the replica decided (the server adopts the ids when it decides the same). */
  readonly events: readonly ProposedEvent[];
}

/** What the server did with a pushed command. */
export type PushAnswer =
  | {
      /** Decided and appended to the shared log. */
      readonly status: 'decided';
      /** The log's position after it. */
      readonly position: number;
      /** Whether it decided what the replica had (its event ids kept). */
      readonly adopted: boolean;
    }
  | {
      /** Decided before (pushed twice): nothing done again. */
      readonly status: 'duplicate';
    }
  | {
      /** Refused: nothing written. */
      readonly status: 'refused';
      /** A stable code: `FORBIDDEN`, `COMMAND_REFUSED`, `VALIDATION_FAILED`, `MALFORMED_MESSAGE`, … */
      readonly code: string;
      /** Why, for a person. */
      readonly message: string;
    };

/** How a replica reaches its server: `natsSyncLink()` of `whizbang/nats`, or one of your own. */
export interface SyncLink {
  /** Sends one pending command and resolves with the server's answer (throws when unreachable). */
  push(request: PushRequest): MaybePromise<PushAnswer>;
  /**
   * Reads through the server (stream groups): the replica's scope, its groups' events, one
   * stream. A link with it lets `startSync` go without `remote`.
   */
  pull?(request: PullRequest): MaybePromise<PullAnswer>;
  /** Tells `listener` when the server says the replica's scope has news; returns a stop. */
  watch?(listener: () => void): () => void;
}

const MAX_ID = 200;

function malformed(what: string): WhizbangError {
  return new WhizbangError('MALFORMED_MESSAGE', `A sync push request ${what}; nothing was done.`);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function text(record: Record<string, unknown>, key: string, what: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID) {
    throw malformed(`has no valid ${what} (\`${key}\`: a string of 1 to ${MAX_ID} characters)`);
  }
  return value;
}

/** Checks what arrived as a push request (parsed JSON); throws `MALFORMED_MESSAGE` otherwise. */
export function parsePushRequest(value: unknown): PushRequest {
  if (!isRecord(value)) throw malformed('is not a JSON object');
  const command = value.command;
  if (!isRecord(command)) throw malformed('has no command');
  if (!('data' in command)) throw malformed('has a command without data');
  const events = value.events;
  if (!Array.isArray(events) || events.length > 10_000) throw malformed('has no events list');
  return {
    id: text(value, 'id', 'commit id'),
    tenant: text(value, 'tenant', 'tenant'),
    streamId: text(value, 'streamId', 'stream id'),
    command: {
      type: text(command, 'type', 'command type'),
      data: command.data,
      messageId: text(command, 'messageId', 'command id'),
      correlationId: text(command, 'correlationId', 'correlation id'),
      causationId: text(command, 'causationId', 'causation id'),
    },
    events: events.map((e: unknown) => {
      if (!isRecord(e) || !('data' in e)) throw malformed('has an event that is not an object');
      return {
        messageId: text(e, 'messageId', 'event id'),
        type: text(e, 'type', 'event type'),
        data: e.data,
      };
    }),
  };
}

/** Checks a server's answer (parsed JSON); throws `MALFORMED_MESSAGE` otherwise. */
export function parsePushAnswer(value: unknown): PushAnswer {
  const bad = (): WhizbangError =>
    new WhizbangError('MALFORMED_MESSAGE', 'The sync server answered something unreadable.');
  if (!isRecord(value)) throw bad();
  switch (value.status) {
    case 'decided':
      if (typeof value.position !== 'number') throw bad();
      return { status: 'decided', position: value.position, adopted: value.adopted === true };
    case 'duplicate':
      return { status: 'duplicate' };
    case 'refused':
      if (typeof value.code !== 'string' || typeof value.message !== 'string') throw bad();
      return { status: 'refused', code: value.code, message: value.message };
    default:
      throw bad();
  }
}
