/**
 * `scopedLedger`: one tenant's view of the JetStream shared log, for a replica in server mode
 * whose NATS user may read only that tenant's subjects (`syncPermissions({ …, tenant })`). Every
 * read goes through a consumer filtered on `<prefix>.<tenant>.>` (or one stream's subject), so
 * nothing of another tenant is sent to it; it appends nothing (its commands go to the server).
 * It remembers where the last read of the log ended, so a sync round reads only what is new.
 */
import { Watchers } from '../../js/kit/mod.ts';
import {
  type AppendResult,
  DEFAULT_TENANT,
  type Ledger,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  WhizbangError,
} from '../../js/mod.ts';
import { connectNats, type NatsConnectionLike, type NatsConnectOptions } from './connect.ts';
import { loadJetStream, natsName } from './jetstream.ts';
import { commitsOn, Growing, type Resume, type ScopedLog } from './ledger/scoped-read.ts';
import { token } from './ledger/subjects.ts';

/** Options of {@link scopedLedger}. */
export interface ScopedLedgerOptions extends NatsConnectOptions {
  /** The JetStream stream of the log (default `WHIZBANG_LEDGER`); it must exist. */
  readonly stream?: string;
  /** The log's subject prefix (default `whizbang.ledger`). */
  readonly prefix?: string;
  /** The one tenant this view reads. */
  readonly tenant: string;
  /** Told of each message in scope that is not a valid commit (skipped), and of a watch that failed. */
  readonly onError?: (error: WhizbangError) => void;
}

/** One tenant's read-only view of the shared log. */
export interface ScopedLedger extends Ledger {
  /** The NATS connection it uses. */
  readonly connection: NatsConnectionLike;
  /** The tenant's events by position (with gaps where other tenants' are), in batches. */
  readAllBatches(options?: {
    readonly from?: number;
    readonly batch?: number;
  }): AsyncIterable<RecordedEvent[]>;
  /** Refused: a scoped replica pushes its commands to the sync server. */
  append(): Promise<AppendResult>;
  /** Stops watching; closes the connection when it opened it. */
  close(): Promise<void>;
}

function forbidden(message: string): WhizbangError {
  return new WhizbangError('FORBIDDEN', message);
}

/** Connects one tenant's read-only view of the shared log. */
export async function scopedLedger(options: ScopedLedgerOptions): Promise<ScopedLedger> {
  const tenant = options.tenant;
  if (typeof tenant !== 'string' || tenant === '') {
    throw new WhizbangError('INVALID_ARGUMENT', 'scopedLedger needs `tenant`: the one it reads.');
  }
  const name = natsName(options.stream ?? 'WHIZBANG_LEDGER', 'stream');
  const prefix = options.prefix ?? 'whizbang.ledger';
  const { connection: nc, owned } = await connectNats(options);
  const { js, jsm } = await loadJetStream(nc);
  const log: ScopedLog = { name, prefix, js, jsm, report: options.onError ?? (() => undefined) };
  const scope = `${prefix}.${await token(tenant)}`;
  const own = (t: string | undefined): void => {
    if ((t ?? DEFAULT_TENANT) !== tenant) {
      throw forbidden(`This replica reads tenant "${tenant}" only, not "${t ?? DEFAULT_TENANT}".`);
    }
  };
  // where the last read of the whole scope ended: the next one from after it starts there
  let hint = { position: 0, seq: 1 };

  async function* batches(from: number, size: number): AsyncIterable<RecordedEvent[]> {
    const resume: Resume = { seq: from > hint.position ? hint.seq : 1 };
    const growing = new Growing(log, 'position');
    let batch: RecordedEvent[] = [];
    for await (const c of commitsOn(log, `${scope}.>`, resume, { batch: size })) {
      for (const e of growing.take(c)) {
        if (e.tenant === tenant && e.position >= from) batch.push(e);
      }
      const end = c.at.position + c.at.count - 1;
      if (end > hint.position) hint = { position: end, seq: c.seq + 1 };
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  async function stream(streamId: string, opts: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    own(opts.tenant);
    const from = opts.from ?? 1;
    const to = opts.to ?? Number.MAX_SAFE_INTEGER;
    const limit = opts.limit ?? Number.MAX_SAFE_INTEGER;
    const growing = new Growing(log, 'version');
    const out: RecordedEvent[] = [];
    const subject = `${scope}.${await token(streamId)}`;
    for await (const c of commitsOn(log, subject, { seq: 1 })) {
      for (const e of growing.take(c)) {
        if (e.streamId !== streamId || e.tenant !== tenant) break; // another id, same token
        if (e.version >= from && e.version <= to && out.length < limit) out.push(e);
      }
    }
    return out;
  }

  const watchers = new Watchers();
  let watching: Promise<{ close(): Promise<void> }> | undefined;
  const follow = async (): Promise<{ close(): Promise<void> }> => {
    // a consumer of its own (an ordered one would ask for the stream's info, which it may not)
    const consumerName = `scoped_watch_${crypto.randomUUID().replaceAll('-', '')}`;
    await jsm.consumers.add(name, {
      name: consumerName,
      filter_subject: `${scope}.>`,
      deliver_policy: 'new' as never,
      ack_policy: 'none' as never,
      headers_only: true,
      mem_storage: true,
      inactive_threshold: 30_000_000_000,
    });
    const consumer = await js.consumers.get(name, consumerName);
    const messages = await consumer.consume();
    void (async () => {
      for await (const _ of messages) watchers.soon();
    })().catch(() => undefined);
    return {
      async close() {
        await messages.close().catch(() => undefined);
        await jsm.consumers.delete(name, consumerName).catch(() => undefined);
      },
    };
  };
  const report = options.onError ?? (() => undefined);

  return {
    connection: nc,
    append: () =>
      Promise.reject(
        forbidden(
          'A scoped replica appends nothing to the shared log: it pushes its commands to the sync server.',
        ),
      ),
    readStream: stream,
    async readAll(opts: ReadAllOptions = {}): Promise<RecordedEvent[]> {
      if (opts.tenant !== undefined) own(opts.tenant);
      const to = opts.to ?? Number.MAX_SAFE_INTEGER;
      const limit = opts.limit ?? Number.MAX_SAFE_INTEGER;
      const types = opts.types === undefined ? undefined : new Set(opts.types);
      const out: RecordedEvent[] = [];
      for await (const page of batches(opts.from ?? 1, 1000)) {
        for (const e of page) {
          if (e.position > to || out.length >= limit) return out;
          if (types === undefined || types.has(e.type)) out.push(e);
        }
      }
      return out;
    },
    readAllBatches: (opts = {}) => batches(opts.from ?? 1, opts.batch ?? 1000),
    async streamVersion(streamId, opts = {}): Promise<number> {
      own(opts.tenant);
      const subject = `${scope}.${await token(streamId)}`;
      for await (const c of commitsOn(log, subject, { seq: 1 }, { last: true })) {
        const e = c.events[c.events.length - 1];
        if (e?.streamId === streamId && e.tenant === tenant) return e.version;
      }
      return (await stream(streamId, opts)).at(-1)?.version ?? 0;
    },
    async headPosition(): Promise<number> {
      for await (const c of commitsOn(log, `${scope}.>`, { seq: 1 }, { last: true })) {
        return c.at.position + c.at.count - 1;
      }
      return 0;
    },
    watch(listener: () => void): () => void {
      watchers.add(listener);
      if (watching === undefined) {
        watching = follow();
        watching.catch((cause: unknown) => {
          watching = undefined;
          report(
            new WhizbangError('UNAVAILABLE', 'The scoped ledger could not follow its tenant.', {
              cause,
            }),
          );
        });
      }
      return () => {
        watchers.delete(listener);
      };
    },
    async close(): Promise<void> {
      watchers.clear();
      const w = watching;
      watching = undefined;
      await (await w?.catch(() => undefined))?.close();
      if (owned) await nc.close();
    },
  };
}
