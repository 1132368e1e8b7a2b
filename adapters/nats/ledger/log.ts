/**
 * The ledger's JetStream stream as the other parts see it: direct gets of one commit, the subject
 * of a ledger stream, and where the log and each stream end (their tails).
 */

import type { JetStreamClient, JetStreamManager, StoredMsg, StreamInfo } from '@nats-io/jetstream';
import {
  type Commit,
  commitOf,
  foreign,
  type GroupOf,
  isCommit,
  type Report,
  subjectFor,
} from './validate.ts';

/** The last commit of the log, or of one stream: its sequence and where it ends. */
export interface Tail {
  readonly seq: number;
  /** The last position (log) or version (stream) it holds. */
  readonly last: number;
  /** The commit id (`Nats-Msg-Id`) of the message at `seq`, when known. */
  readonly id?: string | undefined;
  /** Set when this process predicted the tail (its own commit in flight or just landed). */
  readonly predicted?: boolean;
}

/** A direct get's query: by sequence, or the last message of a subject. */
export type LogQuery = Parameters<JetStreamManager['streams']['getMessage']>[1];

/**
 * The JetStream stream that holds the ledger, on subjects `<prefix>.<tenant>.<stream id>`, or
 * `<prefix>.<tenant>.<group>.<stream id>` for a stream the app puts in a group.
 */
export class LedgerLog {
  /** The JetStream stream's name. */
  readonly name: string;
  /** The subject prefix of every commit. */
  readonly prefix: string;
  /** The JetStream client, for publishes and consumers. */
  readonly js: JetStreamClient;
  /** The JetStream manager, for stream info and direct gets. */
  readonly jsm: JetStreamManager;

  /** Told of each message skipped as foreign or malformed (never throws). */
  readonly report: Report;
  /** The group of a stream (its subject's extra token), when the app defines groups. */
  readonly groupOf: GroupOf | undefined;

  constructor(
    name: string,
    prefix: string,
    js: JetStreamClient,
    jsm: JetStreamManager,
    report: Report,
    groupOf?: GroupOf,
  ) {
    this.groupOf = groupOf;
    this.name = name;
    this.prefix = prefix;
    this.js = js;
    this.jsm = jsm;
    this.report = (error) => {
      try {
        report(error);
      } catch {
        // a reporting hook never changes a read
      }
    };
  }

  /** The commit a stored message holds; undefined (reported) when it is foreign. */
  async commit(m: StoredMsg): Promise<Commit | undefined> {
    const c = await commitOf(m, this.prefix, this.groupOf);
    if (isCommit(c)) return c;
    this.report(c);
    return undefined;
  }

  /** The last valid commit at or before `seq` (foreign messages skipped), if any. */
  async #validAtOrBefore(seq: number, first: number): Promise<Commit | undefined> {
    for (let s = seq; s >= first && s > 0; s--) {
      const m = await this.get({ seq: s });
      if (m === null) continue;
      const c = await this.commit(m);
      if (c !== undefined) return c;
    }
    return undefined;
  }

  /** One stored commit, or null when there is none. */
  get(query: LogQuery): Promise<StoredMsg | null> {
    return this.jsm.streams.getMessage(this.name, query) as Promise<StoredMsg | null>;
  }

  /** The stream's state as the server has it now. */
  info(): Promise<StreamInfo> {
    return this.jsm.streams.info(this.name);
  }

  /** The subject of a ledger stream; synchronous when both tokens are known without hashing. */
  subjectOf(tenant: string, streamId: string): string | Promise<string> {
    return subjectFor(this.prefix, tenant, streamId, this.groupOf?.(streamId));
  }

  /**
   * The log's tail: its last message and the last position given out — by the last valid
   * commit that goes on from the one before it (a foreign message never moves positions).
   */
  async loadTail(): Promise<Tail> {
    const info = await this.info();
    const seq = info.state.last_seq;
    const first = info.state.first_seq;
    if (seq === 0 || info.state.messages === 0) return { seq, last: 0 };
    let candidate = await this.#validAtOrBefore(seq, first);
    while (candidate !== undefined) {
      const before = await this.#validAtOrBefore(candidate.seq - 1, first);
      if (before === undefined || candidate.at.position === end(before) + 1) {
        return { seq, last: end(candidate) };
      }
      this.report(foreign(candidate, 'its positions do not go on from the commit before it'));
      candidate = before;
    }
    return { seq, last: 0 };
  }

  /** One stream's tail: its last message and its version by its last valid commit. */
  async loadStream(subject: string): Promise<Tail> {
    const m = await this.get({ last_by_subj: subject });
    if (m === null) return { seq: 0, last: 0 };
    const c = await this.commit(m);
    if (c !== undefined) return { seq: m.seq, last: c.at.version + c.at.count - 1, id: c.id };
    // a foreign message ends the subject: its last valid commit, read from the start
    let last: Commit | undefined;
    for (let s = 0; s < m.seq; ) {
      const next = await this.get({ seq: s, next_by_subj: subject } as unknown as LogQuery);
      if (next === null || next.seq >= m.seq) break;
      s = next.seq + 1;
      const valid = await commitOf(next, this.prefix, this.groupOf);
      if (isCommit(valid)) last = valid;
    }
    if (last === undefined) return { seq: m.seq, last: 0 };
    return { seq: m.seq, last: last.at.version + last.at.count - 1, id: last.id };
  }
}

/** The last position (or version offset) a commit holds. */
function end(c: Commit): number {
  return c.at.position + c.at.count - 1;
}
