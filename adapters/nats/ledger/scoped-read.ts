/**
 * Reads of the shared log within one subject filter (a tenant's `<prefix>.<tenant>.>`, or one
 * stream's subject), through a consumer of that filter only: what a replica whose NATS user may
 * read nothing else can do (no gets by sequence, no stream info). Each message is checked as a
 * commit of the log before it counts; the filter leaves gaps in positions, so positions must only
 * grow, and versions of one stream go on.
 */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { RecordedEvent, WhizbangError } from '../../../js/mod.ts';
import { type Commit, commitOf, foreign, type GroupOf, isCommit } from './validate.ts';

/** What a scoped read needs: the stream, the ledger's prefix, the clients and a report hook. */
export interface ScopedLog {
  readonly name: string;
  readonly prefix: string;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly report: (error: WhizbangError) => void;
  /** The group of a stream, when the app defines groups (its subjects then check exactly). */
  readonly groupOf?: GroupOf | undefined;
}

/** Where to start a filtered read, and (after it) how far it came. */
export interface Resume {
  /** First stream sequence to read (1: from the start of the log). */
  seq: number;
}

/**
 * The commits on `filter` from sequence `resume.seq` to the end as it is now, in order, checked;
 * `resume.seq` moves past what was read. `last: true` reads only the filter's last message.
 */
export async function* commitsOn(
  log: ScopedLog,
  filter: string,
  resume: Resume,
  options: { readonly last?: boolean; readonly batch?: number } = {},
): AsyncIterable<Commit> {
  const name = `scoped_${crypto.randomUUID().replaceAll('-', '')}`;
  const info = await log.jsm.consumers.add(log.name, {
    name,
    filter_subject: filter,
    ack_policy: 'none' as never,
    mem_storage: true,
    inactive_threshold: 30_000_000_000,
    ...(options.last === true
      ? { deliver_policy: 'last' as never }
      : { deliver_policy: 'by_start_sequence' as never, opt_start_seq: Math.max(resume.seq, 1) }),
  });
  try {
    let pending = info.num_pending;
    if (pending === 0) return;
    const consumer = await log.js.consumers.get(log.name, name);
    while (pending > 0) {
      const batch = await consumer.fetch({
        max_messages: Math.min(pending, options.batch ?? 1000),
        expires: 5_000,
      });
      let got = 0;
      for await (const m of batch) {
        got++;
        pending = m.info.pending;
        resume.seq = m.seq + 1;
        const c = await commitOf(
          { seq: m.seq, subject: m.subject, data: m.data, header: m.headers },
          log.prefix,
          log.groupOf,
        );
        if (isCommit(c)) yield c;
        else log.report(c);
      }
      if (got === 0) return;
    }
  } finally {
    await log.jsm.consumers.delete(log.name, name).catch(() => undefined);
  }
}

/** Keeps commits whose positions (or, on one stream, versions) grow as they must; reports the others. */
export class Growing {
  readonly #log: ScopedLog;
  readonly #by: 'position' | 'version';
  #next = 1;

  constructor(log: ScopedLog, by: 'position' | 'version') {
    this.#log = log;
    this.#by = by;
  }

  /** The commit's events when it goes on properly, else none (reported). */
  take(c: Commit): readonly RecordedEvent[] {
    const at = this.#by === 'position' ? c.at.position : c.at.version;
    const fits = this.#by === 'position' ? at >= this.#next : at === this.#next;
    if (!fits) {
      this.#log.report(foreign(c, `its ${this.#by} ${at} does not go on from ${this.#next - 1}`));
      return [];
    }
    this.#next = at + c.at.count;
    return c.events;
  }
}
