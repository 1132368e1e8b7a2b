/**
 * An append: one commit published with the commit id as `Nats-Msg-Id` (the duplicate window makes
 * a retried publish safe), its placement in headers, and both expectations the server checks —
 * the log's last sequence (no two writers give out the same positions) and the stream's
 * (`Nats-Expected-Last-Subject-Sequence`, its expected version). A refused expectation costs a
 * retry on fresh tails; an expected version decided on a prediction is decided again on the
 * server's.
 */

import type { MsgHdrs } from '@nats-io/nats-core';
import { checkExpectedVersion, checkStreamId, invalidArgument } from '../../../js/kit/mod.ts';
import {
  type AppendOptions,
  type AppendResult,
  ConcurrencyError,
  DEFAULT_TENANT,
  type ExpectedVersion,
  type NewEvent,
  type PerspectiveStore,
  uuidv7,
  WhizbangError,
} from '../../../js/mod.ts';
import {
  appended,
  encodeCommit,
  H,
  type Placement,
  placement,
  recorded,
  type StoredEvent,
} from './commit.ts';
import type { LedgerLog, Tail } from './log.ts';
import type { Order, Ordered } from './order.ts';
import type { Predictions } from './predictions.ts';
import { isWrongLastSequence, published } from './publish.ts';

/** What an append needs of its ledger. */
export interface AppendContext {
  readonly log: LedgerLog;
  readonly predictions: Predictions;
  /** Makes an empty set of message headers (the NATS client's `headers()`). */
  readonly headers: () => MsgHdrs;
  /** Where inline work runs, when the ledger has a store. */
  readonly store: PerspectiveStore | undefined;
  readonly closed: () => boolean;
  /** Tells the watchers a commit landed. */
  readonly heard: () => void;
  /** The order of this process's appends to each stream. */
  readonly order: Order;
}

/** Throws INVALID_ARGUMENT for an expectedVersion of no known form. */
function checkShape(expected: ExpectedVersion): void {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  checkExpectedVersion('', expected, 0);
}

/** The publish of one commit, expecting the log and the stream to end where they were seen. */
function publisher(
  ctx: AppendContext,
  subject: string,
  body: Uint8Array,
  commitId: string,
  at: Placement,
  expect: { readonly log: Tail; readonly state: Tail },
): () => Promise<{ seq: number; duplicate: boolean }> {
  const h = ctx.headers();
  h.set(H.position, String(at.position));
  h.set(H.version, String(at.version));
  h.set(H.count, String(at.count));
  return () =>
    ctx.log.js.publish(subject, body, {
      msgID: commitId,
      headers: h,
      // both, whatever the expectation: the version and the position given here were read
      // at different moments, and the server checks each against what it holds; a predicted
      // tail also names its commit, so another writer's message in a refused commit's place
      // never satisfies a pipelined publish
      expect: {
        lastSequence: expect.log.seq,
        lastSubjectSequence: expect.state.seq,
        ...(expect.log.predicted && expect.log.id !== undefined
          ? { lastMsgID: expect.log.id }
          : {}),
      },
    });
}

/** Appends `events` to a stream as one commit. */
export async function append(
  ctx: AppendContext,
  streamId: string,
  events: readonly NewEvent[],
  opts: AppendOptions = {},
): Promise<AppendResult> {
  const { log, store } = ctx;
  if (ctx.closed()) throw new WhizbangError('CLOSED', 'The JetStream ledger is closed.');
  checkStreamId(streamId);
  const tenant = opts.tenant ?? DEFAULT_TENANT;
  if (typeof tenant !== 'string' || tenant === '') {
    throw invalidArgument(`A tenant must be a non-empty string, got ${JSON.stringify(tenant)}.`);
  }
  const expected = opts.expectedVersion === undefined ? 'any' : opts.expectedVersion;
  checkShape(expected);
  if (!Array.isArray(events)) throw invalidArgument('append needs an array of events.');
  const { body, stored } = encodeCommit(streamId, tenant, events);
  const named = log.subjectOf(tenant, streamId);
  const subject = typeof named === 'string' ? named : await named;
  const inline = opts.inTransaction;
  if (inline !== undefined && store === undefined && events.length > 0) {
    throw invalidArgument(
      'This JetStream ledger has no store for inline work: pass `store` to jetstreamLedger (or use jetstreamDriver).',
    );
  }
  const commitId = opts.commitId ?? uuidv7();
  const { prior, end } = ctx.order.enter(subject, commitId);
  let outcome: number | false = false;
  try {
    const job = { streamId, tenant, events, expected, subject, body, stored, inline, commitId };
    const result = await attempts(ctx, job, prior);
    outcome = result.seq;
    return result.result;
  } finally {
    end(outcome);
  }
}

/** One append, its input checked and encoded. */
interface Job {
  readonly streamId: string;
  readonly tenant: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedVersion;
  readonly subject: string;
  readonly body: Uint8Array;
  readonly stored: readonly StoredEvent[];
  readonly inline: AppendOptions['inTransaction'];
  readonly commitId: string;
}

/** Publishes until the expectations hold or the append is refused; the result and its sequence. */
async function attempts(
  ctx: AppendContext,
  job: Job,
  prior: Ordered | undefined,
): Promise<{ result: AppendResult; seq: number }> {
  const { log, predictions, store } = ctx;
  const { streamId, tenant, events, expected, subject, body, stored, inline, commitId } = job;
  let confirmed = false;
  for (let round = 0; ; round++) {
    if (round > 1_000) {
      throw new WhizbangError(
        'UNAVAILABLE',
        `The append to "${streamId}" lost the race for the log's tail 1000 times; try again.`,
      );
    }
    while (predictions.exclusive !== undefined) await predictions.exclusive;
    // an empty append, or one decided on a prediction that failed, reads what the server has
    const fresh = confirmed || events.length === 0;
    if (fresh) {
      await predictions.settled();
      predictions.forget();
    }
    let state = predictions.stream(subject) ?? (await predictions.loadStream(subject));
    if (predictions.tail === undefined) await predictions.loadTail();
    if (predictions.exclusive !== undefined) continue;
    state = predictions.stream(subject) ?? state;
    const tail: Tail = predictions.tail ?? (await log.loadTail());
    try {
      checkExpectedVersion(streamId, expected, state.last);
    } catch (error) {
      if (fresh) throw error;
      confirmed = true; // decided on a prediction: look at what the server has, then decide
      continue;
    }
    if (prior !== undefined && typeof expected === 'number' && expected > 0) {
      // decided on the earlier append in flight: only on a state that holds it
      const before = prior.outcome;
      if (before === undefined) {
        if (!(state.predicted && state.id === prior.id)) {
          await prior.settled;
          confirmed = true;
          continue;
        }
      } else if (before === false || state.seq < before) {
        throw new ConcurrencyError(streamId, expected, state.last);
      }
    }
    if (events.length === 0) {
      return {
        result: { streamId, version: state.last, position: tail.last, events: [] },
        seq: state.seq,
      };
    }
    const at: Placement = {
      position: tail.last + 1,
      version: state.last + 1,
      count: events.length,
    };
    const result = appended(streamId, tenant, events, stored, at);
    const publish = publisher(ctx, subject, body, commitId, at, { log: tail, state });
    const claim = predictions.claim(
      subject,
      tail,
      state,
      events.length,
      inline !== undefined,
      commitId,
    );
    try {
      const ack =
        inline === undefined
          ? await published(publish, ctx.closed)
          : await store!.transaction(async (tx) => {
              await inline(result, tx);
              return published(publish, ctx.closed);
            });
      if (ack.duplicate || ack.seq !== tail.seq + 1) {
        // stored before (a retried publish): answer with what the log holds
        predictions.forget();
        const m = await log.get({ seq: ack.seq });
        const events = recorded(m!.data, placement(m!.header, ack.seq), ack.seq);
        ctx.heard();
        const last = events[events.length - 1]!;
        return {
          result: { streamId, version: last.version, position: last.position, events },
          seq: ack.seq,
        };
      }
      ctx.heard();
      return {
        result: {
          streamId,
          version: at.version + at.count - 1,
          position: at.position + at.count - 1,
          events: result,
        },
        seq: ack.seq,
      };
    } catch (error) {
      if (isWrongLastSequence(error)) {
        predictions.refused(claim);
        continue;
      }
      // nothing was published (inline work failed) or the outcome is unknown: start afresh
      predictions.failed(claim);
      throw error;
    } finally {
      predictions.done(claim);
    }
  }
}
