/**
 * The ledger's JetStream stream as the other parts see it: direct gets of one commit, the subject
 * of a ledger stream, and where the log and each stream end (their tails).
 */

import type { JetStreamClient, JetStreamManager, StoredMsg, StreamInfo } from '@nats-io/jetstream';
import { placement } from './commit.ts';
import { token, tokenNow } from './subjects.ts';

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

/** The commit id of a stored message, when it has one. */
function idOf(m: StoredMsg): string | undefined {
  return m.header?.get('Nats-Msg-Id') || undefined;
}

/** A direct get's query: by sequence, or the last message of a subject. */
export type LogQuery = Parameters<JetStreamManager['streams']['getMessage']>[1];

/** The JetStream stream that holds the ledger, on subjects `<prefix>.<tenant>.<stream id>`. */
export class LedgerLog {
  /** The JetStream stream's name. */
  readonly name: string;
  /** The subject prefix of every commit. */
  readonly prefix: string;
  /** The JetStream client, for publishes and consumers. */
  readonly js: JetStreamClient;
  /** The JetStream manager, for stream info and direct gets. */
  readonly jsm: JetStreamManager;

  constructor(name: string, prefix: string, js: JetStreamClient, jsm: JetStreamManager) {
    this.name = name;
    this.prefix = prefix;
    this.js = js;
    this.jsm = jsm;
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
    const t = tokenNow(tenant);
    const s = tokenNow(streamId);
    if (t !== undefined && s !== undefined) return `${this.prefix}.${t}.${s}`;
    return Promise.all([token(tenant), token(streamId)]).then(
      ([a, b]) => `${this.prefix}.${a}.${b}`,
    );
  }

  /** The log's tail: its last commit and the last position given out. */
  async loadTail(): Promise<Tail> {
    const info = await this.info();
    const seq = info.state.last_seq;
    if (seq === 0 || info.state.messages === 0) return { seq, last: 0 };
    const m = await this.get({ seq });
    if (m === null) return this.loadTail(); // purged meanwhile
    const at = placement(m.header, m.seq);
    return { seq, last: at.position + at.count - 1 };
  }

  /** One stream's tail: its last commit and its version. */
  async loadStream(subject: string): Promise<Tail> {
    const m = await this.get({ last_by_subj: subject });
    if (m === null) return { seq: 0, last: 0 };
    const at = placement(m.header, m.seq);
    return { seq: m.seq, last: at.version + at.count - 1, id: idOf(m) };
  }
}
