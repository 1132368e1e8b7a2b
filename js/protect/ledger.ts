/**
 * A ledger that seals protected fields on append and opens them on read, around any driver's
 * ledger. WebCrypto is asynchronous, so an append or read that meets a protected field answers
 * with a promise; one that meets none stays as synchronous as the ledger under it (the memory and
 * SQLite ledgers keep their synchronous paths for unprotected events).
 */
import type { Ledger, NewEvent, RecordedEvent } from '../contracts/ledger.ts';
import type { ProtectSpec } from '../messages/message.ts';
import { allOf, type MaybePromise } from '../util/maybe.ts';
import type { Cipher } from './crypto.ts';
import type { KeyRing } from './keyring.ts';
import { sealingWriter } from './outbox.ts';
import { isSealed, openEvent, type SealedEvent, sealEvent, withoutMark } from './seal.ts';
import { sealingLedger } from './sealing-ledger.ts';

/** Opens every sealed event of `events` (the same array when none is sealed). */
export function openEvents(
  events: RecordedEvent[],
  ring: KeyRing,
  cipher: Cipher,
): MaybePromise<RecordedEvent[]> {
  if (!events.some(isSealed)) return events;
  return allOf(events.map((e) => openEvent(e, ring, cipher)));
}

/** `ledger` with the protected fields of `specs`' event types sealed by `ring`'s keys. */
export function protectedLedger(
  ledger: Ledger,
  specs: ReadonlyMap<string, ProtectSpec>,
  ring: KeyRing,
  cipher: Cipher,
): Ledger {
  // undefined when no event has protected fields: the append goes through untouched
  const sealAll = (events: readonly NewEvent[]): MaybePromise<SealedEvent[]> | undefined => {
    if (!events.some((e) => specs.has(e.type))) return undefined;
    const sealed = events.map((e) => {
      const spec = specs.get(e.type);
      return spec === undefined ? { sealed: e, plain: e } : sealEvent(e, spec, ring, cipher);
    });
    return allOf<SealedEvent>(sealed);
  };
  return sealingLedger<SealedEvent>(ledger, {
    seal: (_streamId, events) => sealAll(events),
    stored: (g) => g.sealed,
    // the outbox gets the events as stored (sealed), handlers the data as given
    options: (options, given) => {
      const inTx = options?.inTransaction;
      if (inTx === undefined) return options;
      return {
        ...options,
        inTransaction: (r, tx) => inTx(plainOf(r, given), sealingWriter(tx, r)),
      };
    },
    plain: plainOf,
    open: (events) => openEvents(events, ring, cipher),
  });
}

// what handlers see of recorded events: the data as given, without the seal's metadata
const plainOf = (recorded: readonly RecordedEvent[], given: readonly SealedEvent[]) =>
  recorded.map((r, i) =>
    isSealed(r)
      ? ({ ...r, data: given[i]?.plain.data, metadata: withoutMark(r.metadata) } as RecordedEvent)
      : r,
  );
