/**
 * A ledger that seals protected fields on append and opens them on read, around any driver's
 * ledger. WebCrypto is asynchronous, so an append or read that meets a protected field answers
 * with a promise; one that meets none stays as synchronous as the ledger under it (the memory and
 * SQLite ledgers keep their synchronous paths for unprotected events).
 */
import type {
  AppendOptions,
  AppendResult,
  BatchAppend,
  Ledger,
  NewEvent,
  RecordedEvent,
} from '../contracts/ledger.ts';
import type { ProtectSpec } from '../messages/message.ts';
import { chain, isThenable, type MaybePromise } from '../util/maybe.ts';
import type { Cipher } from './crypto.ts';
import type { KeyRing } from './keyring.ts';
import { sealingWriter } from './outbox.ts';
import { isSealed, openEvent, type SealedEvent, sealEvent, withoutMark } from './seal.ts';

/** Opens every sealed event of `events` (the same array when none is sealed). */
export function openEvents(
  events: RecordedEvent[],
  ring: KeyRing,
  cipher: Cipher,
): MaybePromise<RecordedEvent[]> {
  if (!events.some(isSealed)) return events;
  const opened = events.map((e) => openEvent(e, ring, cipher));
  return opened.some(isThenable) ? Promise.all(opened) : (opened as RecordedEvent[]);
}

/** `ledger` with the protected fields of `specs`' event types sealed by `ring`'s keys. */
export function protectedLedger(
  ledger: Ledger,
  specs: ReadonlyMap<string, ProtectSpec>,
  ring: KeyRing,
  cipher: Cipher,
): Ledger {
  const read = (events: MaybePromise<RecordedEvent[]>): MaybePromise<RecordedEvent[]> =>
    chain(events, (e) => openEvents(e, ring, cipher));

  // undefined when no event has protected fields: the append goes through untouched
  const sealAll = (events: readonly NewEvent[]): MaybePromise<SealedEvent[]> | undefined => {
    if (!events.some((e) => specs.has(e.type))) return undefined;
    const sealed = events.map((e) => {
      const spec = specs.get(e.type);
      return spec === undefined ? { sealed: e, plain: e } : sealEvent(e, spec, ring, cipher);
    });
    return sealed.some(isThenable) ? Promise.all(sealed) : (sealed as SealedEvent[]);
  };
  // what handlers see of recorded events: the data as given, without the seal's metadata
  const plainOf = (recorded: readonly RecordedEvent[], given: readonly SealedEvent[]) =>
    recorded.map((r, i) =>
      isSealed(r)
        ? ({ ...r, data: given[i]?.plain.data, metadata: withoutMark(r.metadata) } as RecordedEvent)
        : r,
    );
  const optionsFor = (
    options: AppendOptions | undefined,
    given: readonly SealedEvent[],
  ): AppendOptions | undefined => {
    const inTx = options?.inTransaction;
    if (inTx === undefined) return options;
    // the outbox gets the events as stored (sealed), handlers the data as given
    return {
      ...options,
      inTransaction: (r, tx) => inTx(plainOf(r, given), sealingWriter(tx, r)),
    };
  };
  const result = (r: AppendResult, given: readonly SealedEvent[]): AppendResult => ({
    ...r,
    events: plainOf(r.events, given),
  });

  const out: Ledger = {
    append(streamId, events, options) {
      const sealing = sealAll(events);
      if (sealing === undefined) return ledger.append(streamId, events, options);
      return chain(sealing, (given) =>
        chain(
          ledger.append(
            streamId,
            given.map((g) => g.sealed),
            optionsFor(options, given),
          ),
          (r) => result(r, given),
        ),
      );
    },
    readStream: (streamId, options) => read(ledger.readStream(streamId, options)),
    readAll: (options) => read(ledger.readAll(options)),
    streamVersion: (streamId, options) => ledger.streamVersion(streamId, options),
    headPosition: () => ledger.headPosition(),
    watch: (listener) => ledger.watch(listener),
  };
  if (ledger.close !== undefined) out.close = () => ledger.close!();
  if (ledger.replaceTail !== undefined) {
    out.replaceTail = (streamId, after, events, options) => {
      const sealing = sealAll(events);
      if (sealing === undefined) return ledger.replaceTail!(streamId, after, events, options);
      return chain(sealing, (given) =>
        chain(
          ledger.replaceTail!(
            streamId,
            after,
            given.map((g) => g.sealed),
            optionsFor(options, given),
          ),
          (r) => result(r, given),
        ),
      );
    };
  }
  if (ledger.appendBatch !== undefined) {
    out.appendBatch = async (appends: readonly BatchAppend[]) => {
      const given = await Promise.all(appends.map((a) => sealAll(a.events)));
      const results = await ledger.appendBatch!(
        appends.map((a, i) =>
          given[i] === undefined
            ? a
            : {
                streamId: a.streamId,
                events: given[i]!.map((g) => g.sealed),
                options: optionsFor(a.options, given[i]!) ?? {},
              },
        ),
      );
      return results.map((r, i) => (given[i] === undefined ? r : result(r, given[i]!)));
    };
  }
  if (ledger.readAllBatches !== undefined) {
    out.readAllBatches = async function* (options) {
      for await (const batch of ledger.readAllBatches!(options))
        yield await openEvents(batch, ring, cipher);
    };
  }
  return out;
}
