/**
 * The outbox, inbox and snapshots of an encrypted replica: an outbox record's message payload and
 * hops, an unfinished handling's rest and a snapshot's state are sealed; what the driver orders and
 * finds them by (ids, topic, tenant, stream, times) stays clear.
 */

import type { OutboxRecord, OutboxStore, OutboxWriter } from '../contracts/outbox.ts';
import type { Snapshot, SnapshotStore } from '../contracts/snapshot.ts';
import type { WireEnvelope } from '../contracts/transport.ts';
import type { Message } from '../messages/message.ts';
import { allOf, chain, type MaybePromise } from '../util/maybe.ts';
import { type Box, contextOf } from './atrest-box.ts';

/** What of an envelope is sealed: its message's data and its hops. */
interface Hidden {
  readonly d?: unknown;
  readonly h: WireEnvelope['hops'];
}

function sealRecord(box: Box, r: OutboxRecord): MaybePromise<OutboxRecord> {
  const e = r.envelope;
  const hidden: Hidden = { d: e.message.data, h: e.hops };
  return chain(
    box.seal(contextOf('outbox', r.id), hidden, e.message.type, 'outbox message'),
    (data) => ({
      ...r,
      envelope: { ...e, hops: [], message: { ...e.message, data } as Message },
    }),
  );
}

function openRecord<R extends OutboxRecord>(box: Box, r: R): MaybePromise<R> {
  const e = r.envelope;
  const what = () => `outbox record "${r.id}"`;
  return chain(box.open(contextOf('outbox', r.id), e.message.data, what), (h) => {
    const hidden = h as Hidden;
    return {
      ...r,
      envelope: { ...e, hops: hidden.h, message: { ...e.message, data: hidden.d } as Message },
    };
  });
}

const restContext = (tenant: string, messageId: string) => contextOf('inbox', tenant, messageId);

/** The outbox and inbox writes of a transaction, sealed. */
export function atRestOutboxWriter(writer: OutboxWriter, box: Box): OutboxWriter {
  return {
    enqueue: (records) =>
      chain(allOf(records.map((r) => sealRecord(box, r))), (sealed) => writer.enqueue(sealed)),
    markHandled: (tenant, messageId, rest) =>
      rest === undefined
        ? writer.markHandled(tenant, messageId)
        : chain(box.seal(restContext(tenant, messageId), rest), (sealed) =>
            writer.markHandled(tenant, messageId, sealed),
          ),
    markFinished: (tenant, messageId) => writer.markFinished(tenant, messageId),
  };
}

/** The outbox's reading side, opening what it hands out. */
export function atRestOutbox(outbox: OutboxStore, box: Box): OutboxStore {
  return {
    pending: (limit, now) =>
      chain(outbox.pending(limit, now), (rs) => allOf(rs.map((r) => openRecord(box, r)))),
    delivered: (ids) => outbox.delivered(ids),
    retryLater: (id, error, availableAt) => outbox.retryLater(id, error, availableAt),
    deadLetter: (id, error, at) => outbox.deadLetter(id, error, at),
    deadLetters: (limit) =>
      chain(outbox.deadLetters(limit), (rs) => allOf(rs.map((r) => openRecord(box, r)))),
    replay: (ids) => outbox.replay(ids),
    counts: () => outbox.counts(),
    handled: (tenant, messageId) => outbox.handled(tenant, messageId),
    unfinished: (tenant, messageId) =>
      chain(outbox.unfinished(tenant, messageId), (rest) =>
        rest === undefined
          ? undefined
          : box.open(
              restContext(tenant, messageId),
              rest,
              () => `unfinished handling of message "${messageId}"`,
            ),
      ),
  };
}

const snapshotContext = (kind: string, tenant: string, id: string, version: number) =>
  contextOf('snapshot', kind, tenant, id, version);

/** Snapshots with their state sealed. */
export function atRestSnapshots(snapshots: SnapshotStore, box: Box): SnapshotStore {
  return {
    load: (kind, tenant, id) =>
      chain(snapshots.load(kind, tenant, id), (s): MaybePromise<Snapshot | undefined> => {
        if (s === undefined) return undefined;
        const what = () => `snapshot of "${id}" (${kind})`;
        return chain(
          box.open(snapshotContext(kind, tenant, id, s.version), s.state, what),
          (state) => ({ ...s, state }),
        );
      }),
    save: (kind, tenant, id, snapshot) =>
      chain(
        box.seal(
          snapshotContext(kind, tenant, id, snapshot.version),
          snapshot.state,
          kind,
          'state',
        ),
        (state) => snapshots.save(kind, tenant, id, { ...snapshot, state }),
      ),
  };
}
