/**
 * The ledger on D1, in the SQLite adapter's tables. D1 has no interactive transaction, so an append
 * reads the stream's version and the head (one batch), decides the events' versions and positions,
 * runs the inline work against a transaction that holds its writes, and sends everything as one
 * batch led by the expected-version guard: D1 runs a batch all-or-nothing, so the events, the
 * inline perspectives and the outbox rows land together or not at all. Another append that landed
 * in between fails the batch (the guard, or the positions' key) and the append is decided again.
 */
import {
  checkAppend,
  checkExpectedVersion,
  checkLogRead,
  checkStreamRead,
  encodePayload,
  fromAllRow,
  fromStreamRow,
  type Limits,
  recordedEvent,
  stampEvent,
  Watchers,
} from '../../../js/kit/mod.ts';
import {
  type AppendOptions,
  type AppendResult,
  type AsyncLedger,
  DEFAULT_TENANT,
  type NewEvent,
  type RecordedEvent,
} from '../../../js/mod.ts';
import * as reads from '../../sqlite/reads.ts';
import { appendAlone } from './append-alone.ts';
import type { D1Database } from './binding.ts';
import { decided } from './retry.ts';
import { D1Transaction } from './tx.ts';

const INSERT = `INSERT INTO whizbang_events (position, tenant, stream_id, version, type, message_id, correlation_id, causation_id, time, data, metadata)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
/**
 * The D1 ledger; every answer is a promise. An append is one batch (see the module's note), so
 * its inline work may run again on a retry.
 */
export interface D1Ledger extends AsyncLedger {
  /** Stops polling for other Workers' appends. */
  close(): void;
}

/** Creates the ledger over a migrated D1 database. */
export function d1Ledger(db: D1Database, limits: Limits, pollMs: number): D1Ledger {
  const listeners = new Watchers();
  let timer: ReturnType<typeof setInterval> | undefined;
  let seen = 0;
  const head = async (): Promise<number> =>
    Number((await db.prepare(reads.HEAD).first<{ p: number }>())?.p ?? 0);

  const append = async (
    streamId: string,
    events: readonly NewEvent[],
    opts: AppendOptions = {},
  ): Promise<AppendResult> => {
    checkAppend(streamId, events, opts, limits);
    const tenant = opts.tenant ?? DEFAULT_TENANT;
    const expected = opts.expectedVersion === undefined ? 'any' : opts.expectedVersion;
    const payloads = events.map((e) => encodePayload(streamId, e, limits));
    if (opts.inTransaction === undefined && events.length > 0) {
      const result = await appendAlone(db, streamId, tenant, expected, events, payloads);
      listeners.soon();
      return result;
    }
    const result = await decided(async () => {
      const [versions, heads] = await db.batch([
        db.prepare(reads.STREAM_VERSION).bind(tenant, streamId),
        db.prepare(reads.HEAD),
      ]);
      const version = Number(versions?.results[0]?.version ?? 0);
      const at = Number(heads?.results[0]?.p ?? 0);
      checkExpectedVersion(streamId, expected, version);
      if (events.length === 0) return { streamId, version, position: at, events: [] };
      const tx = new D1Transaction(db);
      // the expected-version check, inside the batch: it fails if the stream moved since the read
      tx.guard(
        `coalesce((SELECT version FROM whizbang_streams WHERE tenant = ? AND stream_id = ?), 0) = ?`,
        tenant,
        streamId,
        version,
      );
      const now = Date.now();
      const recorded: RecordedEvent[] = events.map((e, i) => {
        const stamp = stampEvent(e, now);
        const { data, metadata } = payloads[i]!;
        // an explicit position: another append that took it since the read fails this batch
        tx.write(
          INSERT,
          at + i + 1,
          tenant,
          streamId,
          version + i + 1,
          e.type,
          stamp.messageId,
          stamp.correlationId,
          stamp.causationId,
          stamp.timestamp,
          data,
          metadata ?? null,
        );
        return recordedEvent(e, streamId, tenant, version + i + 1, at + i + 1, stamp);
      });
      tx.write(reads.UPSERT_VERSION, tenant, streamId, version + events.length);
      await opts.inTransaction?.(recorded, tx.writer());
      await tx.commit();
      return {
        streamId,
        version: version + events.length,
        position: at + events.length,
        events: recorded,
      };
    });
    if (result.events.length > 0) listeners.soon();
    return result;
  };

  const poll = async (): Promise<void> => {
    const now = await head().catch(() => seen);
    if (now !== seen) {
      seen = now;
      listeners.soon();
    }
  };

  return {
    append,
    async readStream(streamId, opts = {}) {
      checkStreamRead(streamId, opts, limits);
      const tenant = opts.tenant ?? DEFAULT_TENANT;
      const rows = await db
        .prepare(reads.READ_STREAM)
        .bind(...reads.readStreamParams(streamId, opts, tenant))
        .raw();
      return rows.map((row) => fromStreamRow(row, streamId, tenant, reads.parseText));
    },
    async readAll(opts = {}) {
      checkLogRead(opts, limits);
      const query = reads.readAllQuery(opts);
      if (query === undefined) return [];
      const rows = await db
        .prepare(query.sql)
        .bind(...query.params)
        .raw();
      return rows.map((row) => fromAllRow(row, reads.parseText));
    },
    async streamVersion(streamId, opts = {}) {
      checkStreamRead(streamId, opts, limits);
      const row = await db
        .prepare(reads.STREAM_VERSION)
        .bind(opts.tenant ?? DEFAULT_TENANT, streamId)
        .first<{ version: number }>();
      return Number(row?.version ?? 0);
    },
    headPosition: head,
    watch(listener) {
      listeners.add(listener);
      if (timer === undefined) {
        void head().then((p) => {
          seen = p;
        });
        // other Workers' appends: D1 tells nobody, so the head is looked at while someone watches
        timer = setInterval(() => void poll(), pollMs);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer !== undefined) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
    close() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      listeners.clear();
    },
  };
}
