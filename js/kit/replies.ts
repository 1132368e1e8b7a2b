/**
 * Request/reply on the wire: a responder's answer as it travels (a value or an error) and back as a
 * typed error on the requesting side. Shared by the transports that carry requests.
 */
import { RemoteError, type WireError, type WireReply } from '../contracts/remote.ts';
import {
  ConcurrencyError,
  type ErrorCode,
  isWhizbangError,
  ValidationError,
  type ValidationIssue,
  WhizbangError,
} from '../util/errors.ts';

/** Nobody answers on the topic. */
export function noResponder(topic: string, cause?: unknown): WhizbangError {
  return new WhizbangError(
    'NO_RESPONDER',
    `Nobody answers requests on "${topic}". Start the app that has the receptor and call app.listen(transport) on it, or check the topic and the transport's prefix.`,
    cause === undefined ? undefined : { cause },
  );
}

/** No answer came in time. */
export function requestTimeout(topic: string, ms: number, cause?: unknown): WhizbangError {
  return new WhizbangError(
    'REQUEST_TIMEOUT',
    `No answer on "${topic}" within ${ms} ms. The responder may be slow or gone, and may still have handled the command: invoke again with the same messageId (its inbox handles it once) or raise timeoutMs.`,
    cause === undefined ? undefined : { cause },
  );
}

/** An error as it travels: name, message, code and the fields of the errors that have some. */
export function wireError(error: unknown): WireError {
  if (isWhizbangError(error)) {
    const base = { name: error.name, message: error.message, code: error.code, whizbang: true };
    if (error instanceof ConcurrencyError || error.code === 'CONCURRENCY_CONFLICT') {
      const e = error as ConcurrencyError;
      return { ...base, streamId: e.streamId, expected: e.expected, actual: e.actual };
    }
    if (error.code === 'VALIDATION_FAILED') {
      const e = error as ValidationError;
      const issues = (e.issues ?? []).map((i) =>
        i.path === undefined
          ? { message: i.message }
          : { message: i.message, path: i.path.map(String) },
      );
      return { ...base, messageType: e.messageType, issues };
    }
    return base;
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string'
      ? { name: error.name, message: error.message, code, whizbang: false }
      : { name: error.name, message: error.message, whizbang: false };
  }
  return { name: 'Error', message: String(error), whizbang: false };
}

/** The error a requester sees for an error that came back from `topic`. */
export function errorFromWire(error: WireError, topic: string): WhizbangError {
  if (!error.whizbang || typeof error.code !== 'string') return new RemoteError(error, topic);
  if (error.code === 'CONCURRENCY_CONFLICT' && error.streamId !== undefined) {
    return new ConcurrencyError(error.streamId, error.expected ?? 'any', error.actual ?? 0);
  }
  if (error.code === 'VALIDATION_FAILED' && error.messageType !== undefined) {
    return new ValidationError(error.messageType, (error.issues ?? []) as ValidationIssue[]);
  }
  const typed = new WhizbangError(error.code as ErrorCode, error.message);
  typed.name = error.name;
  return typed;
}

/** Runs a responder and turns what it returned, or threw, into a reply. */
export async function replyOf(answer: () => unknown): Promise<WireReply> {
  try {
    return { ok: true, value: await answer() };
  } catch (error) {
    return { ok: false, error: wireError(error) };
  }
}

/** A reply as JSON; a value JSON cannot carry becomes an `INVALID_ARGUMENT` error reply. */
export function encodeReply(reply: WireReply, topic: string): string {
  try {
    return JSON.stringify(reply);
  } catch (error) {
    return JSON.stringify({
      ok: false,
      error: wireError(
        new WhizbangError(
          'INVALID_ARGUMENT',
          `The answer to a request on "${topic}" cannot be sent as JSON (${error instanceof Error ? error.message : String(error)}). Return JSON-safe values from the receptor: no BigInt, cycles or functions.`,
        ),
      ),
    } satisfies WireReply);
  }
}

/** The value of a reply from `topic`, or its error thrown as a typed error. */
export function answerOf(reply: WireReply, topic: string): unknown {
  if (reply.ok) return reply.value;
  throw errorFromWire(reply.error, topic);
}

/** Reads a reply encoded by {@link encodeReply}; anything else is `MALFORMED_MESSAGE`. */
export function decodeReply(json: string, topic: string): WireReply {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw malformedReply(topic, error);
  }
  const reply = value as Partial<{ ok: unknown; error: Partial<WireError> }> | null;
  if (typeof reply !== 'object' || reply === null || typeof reply.ok !== 'boolean') {
    throw malformedReply(topic);
  }
  if (!reply.ok && (typeof reply.error !== 'object' || typeof reply.error?.message !== 'string')) {
    throw malformedReply(topic);
  }
  return reply as WireReply;
}

function malformedReply(topic: string, cause?: unknown): WhizbangError {
  return new WhizbangError(
    'MALFORMED_MESSAGE',
    `The answer to a request on "${topic}" is not a Whizbang reply. Something other than a Whizbang responder answers on that topic; give it its own topic.`,
    cause === undefined ? undefined : { cause },
  );
}
