/**
 * Walking the ledger's commits: a few direct gets first (a short read costs no consumer), then an
 * ordered consumer for the rest; and a binary search on the placement headers for the commit that
 * holds a position.
 */

import type { MsgHdrs } from '@nats-io/nats-core';
import type { LedgerLog } from './log.ts';
import { placementOf } from './validate.ts';

/** Commits read one by one before a read switches to a consumer. */
const DIRECT_READS = 16;

/** One commit as a scan hands it over. */
export interface ScannedCommit {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly header: MsgHdrs | undefined;
}

/** Reads commits from `from` on (of one subject when given), until `visit` says stop or the end. */
export async function scan(
  log: LedgerLog,
  from: number,
  subject: string | undefined,
  visit: (m: ScannedCommit) => boolean | Promise<boolean>,
): Promise<void> {
  let seq = from;
  for (let i = 0; i < DIRECT_READS; i++) {
    const m = await log.get(
      subject === undefined
        ? { seq }
        : ({ seq, next_by_subj: subject } as unknown as { seq: number }),
    );
    if (m === null) {
      if (subject !== undefined) return;
      // a gap (a deleted message) or the end
      const info = await log.info();
      if (seq > info.state.last_seq) return;
      seq++;
      continue;
    }
    if (!(await visit(m))) return;
    seq = m.seq + 1;
  }
  // where the read ends: the last commit now (of the subject, when one is read). A consumer's own
  // count of what is pending is not trusted for it: on a cluster whose leader just moved it has
  // been seen to say 0 with commits still to come
  const end =
    subject === undefined
      ? (await log.info()).state.last_seq
      : ((await log.get({ last_by_subj: subject }))?.seq ?? 0);
  if (seq > end) return;
  const consumer = await log.js.consumers.get(log.name, {
    opt_start_seq: seq,
    filter_subjects: subject ?? `${log.prefix}.>`,
  });
  const messages = await consumer.consume({ max_messages: 1024 });
  try {
    for await (const m of messages) {
      const going = await visit({
        seq: m.seq,
        subject: m.subject,
        data: m.data,
        header: m.headers,
      });
      if (!going || m.seq >= end) return;
    }
  } finally {
    await messages.close().catch(() => undefined);
    await consumer.delete().catch(() => undefined);
  }
}

/** The first sequence whose commit holds `position` or a later one (binary search on headers). */
export async function seqOf(log: LedgerLog, position: number): Promise<number | undefined> {
  const info = await log.info();
  let lo = info.state.first_seq;
  let hi = info.state.last_seq;
  if (info.state.messages === 0) return undefined;
  if (position <= 1) return lo;
  let found: number | undefined;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const m = await log.get({ seq: mid });
    const at = placementOf(m?.header);
    if (at === undefined) return lo; // a gap or a foreign message: read from the low end
    if (at.position + at.count - 1 >= position) {
      found = mid;
      hi = mid - 1;
    } else lo = mid + 1;
  }
  return found;
}
