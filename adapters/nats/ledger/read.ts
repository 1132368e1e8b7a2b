/**
 * The ledger's reads: one stream (its subject's commits, keeping only those whose ids match
 * exactly, since a hashed token may be shared), the whole log in order, and the log in batches
 * through one ordered consumer up to the head as it was when the read began.
 */

import { checkStreamId, wholeOption } from '../../../js/kit/mod.ts';
import {
  DEFAULT_TENANT,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
} from '../../../js/mod.ts';
import { placement, recorded } from './commit.ts';
import type { LedgerLog } from './log.ts';
import { scan, seqOf } from './scan.ts';

/** The events of one stream, by version. */
export async function readStream(
  log: LedgerLog,
  streamId: string,
  opts: ReadStreamOptions = {},
): Promise<RecordedEvent[]> {
  checkStreamId(streamId);
  const from = Math.max(wholeOption('from', opts.from, 1), 1);
  const to = wholeOption('to', opts.to, Number.MAX_SAFE_INTEGER);
  const limit = wholeOption('limit', opts.limit, Number.MAX_SAFE_INTEGER);
  const tenant = opts.tenant ?? DEFAULT_TENANT;
  const out: RecordedEvent[] = [];
  if (limit === 0 || from > to) return out;
  const subject = await log.subjectOf(tenant, streamId);
  const last = await log.get({ last_by_subj: subject });
  if (last === null) return out;
  await scan(log, 0, subject, (m) => {
    const at = placement(m.header, m.seq);
    if (at.version + at.count - 1 >= from) {
      for (const e of recorded(m.data, at, m.seq)) {
        if (e.streamId !== streamId || e.tenant !== tenant) break; // another id, same token
        if (e.version < from) continue;
        if (e.version > to || out.length >= limit) return false;
        out.push(e);
      }
    }
    return m.seq < last.seq && out.length < limit && at.version + at.count - 1 < to;
  });
  return out;
}

/** The events of the whole log, by position. */
export async function readAll(log: LedgerLog, opts: ReadAllOptions = {}): Promise<RecordedEvent[]> {
  const from = Math.max(wholeOption('from', opts.from, 1), 1);
  const to = wholeOption('to', opts.to, Number.MAX_SAFE_INTEGER);
  const limit = wholeOption('limit', opts.limit, Number.MAX_SAFE_INTEGER);
  const types = opts.types === undefined ? undefined : new Set(opts.types);
  const out: RecordedEvent[] = [];
  if (limit === 0 || from > to || types?.size === 0) return out;
  const start = await seqOf(log, from);
  if (start === undefined) return out;
  await scan(log, start, undefined, (m) => {
    for (const e of recorded(m.data, placement(m.header, m.seq), m.seq)) {
      if (e.position < from) continue;
      if (e.position > to) return false;
      if (opts.tenant !== undefined && e.tenant !== opts.tenant) continue;
      if (types !== undefined && !types.has(e.type)) continue;
      out.push(e);
      if (out.length >= limit) return false;
    }
    return true;
  });
  return out;
}

/** The log from `from` to the head as it is now, in batches of about `batch` events. */
export async function* readAllBatches(
  log: LedgerLog,
  opts: { readonly from?: number; readonly batch?: number } = {},
): AsyncIterable<RecordedEvent[]> {
  const from = Math.max(wholeOption('from', opts.from, 1), 1);
  const size = Math.max(wholeOption('batch', opts.batch, 1000), 1);
  const start = await seqOf(log, from);
  if (start === undefined) return;
  // to the head as it is now: one ordered consumer over the whole range
  const last = (await log.info()).state.last_seq;
  if (start > last) return;
  const consumer = await log.js.consumers.get(log.name, {
    opt_start_seq: start,
    filter_subjects: `${log.prefix}.>`,
  });
  const messages = await consumer.consume({
    max_messages: Math.min(Math.max(size, 256), 4096),
  });
  let batch: RecordedEvent[] = [];
  try {
    for await (const m of messages) {
      for (const e of recorded(m.data, placement(m.headers, m.seq), m.seq)) {
        if (e.position >= from) batch.push(e);
      }
      const done = m.seq >= last || m.info.pending === 0;
      if (batch.length >= size || done) {
        const full = batch;
        batch = [];
        if (full.length > 0) yield full;
      }
      if (done) return;
    }
  } finally {
    await messages.close().catch(() => undefined);
    await consumer.delete().catch(() => undefined);
  }
}

/** A stream's version as the server has it. */
export async function streamVersion(
  log: LedgerLog,
  streamId: string,
  opts: { readonly tenant?: string } = {},
): Promise<number> {
  checkStreamId(streamId);
  return (await log.loadStream(await log.subjectOf(opts.tenant ?? DEFAULT_TENANT, streamId))).last;
}
