/**
 * The ledger's appends to one stream. The events are encoded before any transaction, so bad
 * input is refused with nothing begun. An append adds after the head and version seen last when
 * they settle it, and runs once more reading them first if another tab had moved them.
 */

import {
  checkAppend,
  type EncodedPayload,
  encodePayload,
  type Limits,
  wholeOption,
} from '../../js/kit/mod.ts';
import {
  type AppendOptions,
  type AppendResult,
  DEFAULT_TENANT,
  type NewEvent,
} from '../../js/mod.ts';
import { attempt } from './attempt.ts';
import type { Connection } from './connection.ts';
import { streamKey } from './reads.ts';
import { assumed, type Seen } from './seen.ts';
import type { SealedIndex } from './segment-open.ts';

/** What the ledger's writes share: the connection, its memory, the limits. */
export interface Appending {
  readonly connection: Connection;
  readonly seen: Seen;
  readonly limits: Limits;
  /** The sealed part's index, when the driver has a segment store (see segment-open.ts). */
  readonly segments?: SealedIndex | undefined;
}

/** Appends `events` to the stream, checking `opts.expectedVersion`. */
export function append(
  ctx: Appending,
  streamId: string,
  events: readonly NewEvent[],
  opts: AppendOptions = {},
): Promise<AppendResult> {
  const { connection, seen, limits } = ctx;
  try {
    checkAppend(streamId, events, opts, limits);
    const tenant = opts.tenant ?? DEFAULT_TENANT;
    const expected = opts.expectedVersion === undefined ? 'any' : opts.expectedVersion;
    const payloads = new Array<EncodedPayload>(events.length);
    for (let i = 0; i < events.length; i++)
      payloads[i] = encodePayload(streamId, events[i]!, limits);
    const work = opts.inTransaction;
    const key = streamKey(tenant, streamId);
    const plan = { streamId, tenant, expected, events, payloads, work, segments: ctx.segments };
    const first = attempt(connection, seen, {
      ...plan,
      from: assumed(expected, seen.version(key)),
      at: seen.head,
    });
    return first.done.catch((error: unknown) => {
      if (!first.stale()) throw error;
      seen.forget(key);
      return attempt(connection, seen, { ...plan, from: undefined, at: undefined }).done;
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Replaces the stream's events after version `after` with `events`, in one transaction. */
export function replaceTail(
  ctx: Appending,
  streamId: string,
  after: number,
  events: readonly NewEvent[],
  opts: AppendOptions = {},
): Promise<AppendResult> {
  try {
    checkAppend(streamId, events, opts, ctx.limits);
    const tenant = opts.tenant ?? DEFAULT_TENANT;
    const cut = wholeOption('after', after, 0);
    const payloads = events.map((e) => encodePayload(streamId, e, ctx.limits));
    return attempt(ctx.connection, ctx.seen, {
      streamId,
      tenant,
      expected: cut,
      events,
      payloads,
      work: opts.inTransaction,
      from: undefined,
      at: undefined,
      cut,
      segments: ctx.segments,
    }).done;
  } catch (error) {
    return Promise.reject(error);
  }
}
