/**
 * The outbox under `protect`: an event's record is written with its protected fields as the
 * ledger holds them (sealed, its seal's marker in the envelope), never in clear, and opened when
 * the relay takes it for delivery — as {@link REDACTED} once its subject is forgotten.
 */

import type { RecordedEvent } from '../contracts/ledger.ts';
import type { OutboxRecord } from '../contracts/outbox.ts';
import type { PerspectiveStore, StoreWriter } from '../contracts/store.ts';
import type { WireEnvelope } from '../contracts/transport.ts';
import { allOf, chain, type MaybePromise } from '../util/maybe.ts';
import type { Cipher } from './crypto.ts';
import type { KeyRing } from './keyring.ts';
import { PROTECTED, type Sealed, sealedOf } from './marker.ts';
import { openEvent } from './seal.ts';

type Marked = WireEnvelope & { readonly [PROTECTED]?: Sealed };

/** `tx` whose outbox writes the events of `recorded` (as stored: sealed) in place of clear ones. */
export function sealingWriter(tx: StoreWriter, recorded: readonly RecordedEvent[]): StoreWriter {
  const outbox = tx.outbox;
  if (outbox === undefined) return tx;
  const stored = new Map<string, RecordedEvent>();
  for (const e of recorded) if (sealedOf(e.metadata) !== undefined) stored.set(e.messageId, e);
  const sealed = (r: OutboxRecord): OutboxRecord => {
    const e = r.envelope.message.kind === 'event' ? stored.get(r.envelope.messageId) : undefined;
    if (e === undefined) return r;
    const envelope: Marked = {
      ...r.envelope,
      message: { ...r.envelope.message, data: e.data },
      [PROTECTED]: sealedOf(e.metadata)!,
    };
    return { ...r, envelope };
  };
  const writer = overriding(outbox, {
    enqueue: (records: readonly OutboxRecord[]) => outbox.enqueue(records.map(sealed)),
  });
  return overriding(tx, { outbox: writer });
}

/** `store` whose outbox opens the sealed records it hands out (to the relay, as dead letters). */
export function openingStore(
  store: PerspectiveStore,
  ring: KeyRing,
  cipher: Cipher,
): PerspectiveStore {
  const outbox = store.outbox;
  if (outbox === undefined) return store;
  const open = <R extends OutboxRecord>(r: R): MaybePromise<R> => {
    const { [PROTECTED]: mark, ...envelope } = r.envelope as Marked;
    if (mark === undefined) return r;
    const event = {
      ...envelope,
      type: envelope.message.type,
      data: envelope.message.data,
      metadata: { [PROTECTED]: mark },
      position: envelope.position ?? 0,
    } as unknown as RecordedEvent;
    return chain(openEvent(event, ring, cipher), (opened) => ({
      ...r,
      envelope: { ...envelope, message: { ...envelope.message, data: opened.data } },
    }));
  };
  const all = <R extends OutboxRecord>(records: R[]): MaybePromise<R[]> => {
    return allOf(records.map(open)) as MaybePromise<R[]>;
  };
  const reading = overriding(outbox, {
    pending: (limit: number, now: number) => chain(outbox.pending(limit, now), all),
    deadLetters: (limit?: number) => chain(outbox.deadLetters(limit), all),
  });
  return overriding(store, { outbox: reading });
}

/** `target` with `own` in place of its members of the same names (the others bound to it). */
function overriding<T extends object>(target: T, own: Partial<T>): T {
  return new Proxy(target, {
    get: (t, key) => {
      if (Object.hasOwn(own, key)) return own[key as keyof T];
      const value = Reflect.get(t, key, t) as unknown;
      return typeof value === 'function' ? value.bind(t) : value;
    },
  });
}
