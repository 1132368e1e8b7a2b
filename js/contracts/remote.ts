/**
 * Request/reply between processes: a responder's answer as it travels (a value or an error), and
 * an error thrown in another process as a typed error here: a Whizbang error keeps its `code`,
 * message and fields; any other error becomes a {@link RemoteError} with the same message.
 * @module
 */
import { isWhizbangError, WhizbangError } from '../util/errors.ts';

/** An error as it crosses a process boundary. */
export interface WireError {
  /** The error's class name on the side that threw it. */
  readonly name: string;
  /** Its message. */
  readonly message: string;
  /** The Whizbang code, or the string `code` another error carried. */
  readonly code?: string;
  /** Whether it was a Whizbang error (then `code` is a Whizbang code). */
  readonly whizbang: boolean;
  /** The fields of a ConcurrencyError or a ValidationError. */
  readonly streamId?: string;
  /** A concurrency error's expected version. */
  readonly expected?: string | number;
  /** A concurrency error's actual version. */
  readonly actual?: number;
  /** A validation error's message type. */
  readonly messageType?: string;
  /** A validation error's issues. */
  readonly issues?: ReadonlyArray<{ readonly message: string; readonly path?: readonly string[] }>;
}

/** A responder's answer: what it returned, or what it threw. */
export type WireReply =
  | { readonly ok: true; readonly value?: unknown }
  | { readonly ok: false; readonly error: WireError };

/** An error thrown by a responder in another process that was not a Whizbang error. */
export class RemoteError extends WhizbangError {
  /** The error's name, for logs. */
  override name = 'RemoteError';
  /** The error's name over there (`Error`, `TypeError`, a class of yours). */
  readonly remoteName: string;
  /** The string `code` it carried, if any. */
  readonly remoteCode: string | undefined;
  /** The topic the request went to. */
  readonly topic: string;

  /** An error from a remote handler's reply on `topic`. */
  constructor(error: WireError, topic: string) {
    super('REMOTE_FAILED', error.message);
    this.remoteName = error.name;
    this.remoteCode = error.code;
    this.topic = topic;
  }
}

/** True when `error` is a {@link RemoteError}. */
export function isRemoteError(error: unknown): error is RemoteError {
  return isWhizbangError(error, 'REMOTE_FAILED');
}
