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
import type { LedgerLog } from './log.ts';
import { type ScannedCommit, scan, seqOf } from './scan.ts';
import { type Commit, commitOf, foreign, isCommit } from './validate.ts';

/**
 * Commits in log order, each checked: a foreign message, or one whose positions (or, on one
 * stream, versions) do not go on from the commit before it, is skipped with a report.
 */
class Chain {
  readonly #log: LedgerLog;
  readonly #by: 'position' | 'version';
  #next: number | undefined;

  constructor(log: LedgerLog, by: 'position' | 'version', first?: number) {
    this.#log = log;
    this.#by = by;
    this.#next = first;
  }

  /** The message's commit when it goes on from the one before; else undefined (reported). */
  async take(m: ScannedCommit): Promise<Commit | undefined> {
    const c = await commitOf(m, this.#log.prefix, this.#log.groupOf);
    if (!isCommit(c)) {
      this.#log.report(c);
      return undefined;
    }
    const at = this.#by === 'position' ? c.at.position : c.at.version;
    if (this.#next !== undefined && at !== this.#next) {
      this.#log.report(foreign(m, `its ${this.#by} ${at} does not go on from ${this.#next - 1}`));
      return undefined;
    }
    this.#next = at + c.at.count;
    return c;
  }
}

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
  const chain = new Chain(log, 'version', 1);
  await scan(log, 0, subject, async (m) => {
    const c = await chain.take(m);
    if (c === undefined) return m.seq < last.seq;
    const at = c.at;
    if (at.version + at.count - 1 >= from) {
      for (const e of c.events) {
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
  const chain = new Chain(log, 'position');
  await scan(log, start, undefined, async (m) => {
    const c = await chain.take(m);
    if (c === undefined) return true;
    for (const e of c.events) {
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
  const chain = new Chain(log, 'position');
  try {
    for await (const m of messages) {
      const c = await chain.take({
        seq: m.seq,
        subject: m.subject,
        data: m.data,
        header: m.headers,
      });
      for (const e of c?.events ?? []) {
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
