/**
 * Reads of the shared log by stream group: a group's streams are on `<prefix>.<tenant>.<group>.>`,
 * so each group is one consumer's filter (nats-server 2.9 gives a consumer one filter subject);
 * the groups' events are merged by position. With nats-server 2.10's `filter_subjects`, one
 * consumer would read every group in the log's order, with no merge.
 */
import type { RecordedEvent } from '../../../js/mod.ts';
import type { LedgerLog } from './log.ts';
import { seqOf } from './scan.ts';
import { commitsOn, type ScopedLog } from './scoped-read.ts';
import { token } from './subjects.ts';

/** What {@link readGroups} reads. */
export interface GroupRead {
  /** The tenant whose groups are read. */
  readonly tenant: string;
  /** The groups. */
  readonly groups: readonly string[];
  /** First position (default 1). */
  readonly from?: number;
  /** Last position (default: the end). */
  readonly to?: number;
  /** At most this many events (default 1000). */
  readonly limit?: number;
}

/** One group's events in the range, up to `limit`, in position order. */
async function readGroup(
  log: LedgerLog,
  filter: string,
  start: number,
  from: number,
  to: number,
  limit: number,
): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  const scoped: ScopedLog = log;
  const resume = { seq: start };
  let next = 1;
  for await (const c of commitsOn(scoped, filter, resume, { batch: Math.min(limit, 1000) })) {
    // positions only grow within a filter: a commit going back is foreign (reported, skipped)
    if (c.at.position < next) continue;
    next = c.at.position + c.at.count;
    for (const e of c.events) {
      if (e.position < from) continue;
      if (e.position > to || out.length >= limit) return out;
      out.push(e);
    }
    if (out.length >= limit) return out;
  }
  return out;
}

/** The events of some groups of one tenant, merged by position, from `from` on, at most `limit`. */
export async function readGroups(log: LedgerLog, read: GroupRead): Promise<RecordedEvent[]> {
  const from = Math.max(read.from ?? 1, 1);
  const to = read.to ?? Number.MAX_SAFE_INTEGER;
  const limit = Math.max(read.limit ?? 1000, 1);
  if (read.groups.length === 0 || from > to) return [];
  const start = await seqOf(log, from);
  if (start === undefined) return [];
  const tenant = await token(read.tenant);
  const lists = await Promise.all(
    [...new Set(read.groups)].map(async (g) =>
      readGroup(log, `${log.prefix}.${tenant}.${await token(g)}.>`, start, from, to, limit),
    ),
  );
  const merged = lists.flat().filter((e) => e.tenant === read.tenant);
  merged.sort((a, b) => a.position - b.position);
  return merged.slice(0, limit);
}
