/**
 * The shape both of `whizbang/protect`'s ledgers share (protected fields, and encryption at rest):
 * a ledger around another that turns the events given into the form stored on every append,
 * hands handlers back the events as given, and opens what it reads. Each wrapper says only how.
 */
import type {
  AppendOptions,
  AppendResult,
  BatchAppend,
  Ledger,
  NewEvent,
  RecordedEvent,
} from '../contracts/ledger.ts';
import { chain, type MaybePromise } from '../util/maybe.ts';

/** How a sealing ledger turns events into their stored form and back; `G` is one event given. */
export interface Sealing<G> {
  /** The given events with their stored form; undefined stores them untouched. */
  seal(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions | undefined,
  ): MaybePromise<G[]> | undefined;
  /** The stored form of one event given. */
  stored(given: G): NewEvent;
  /** The append's options for the stored events (the outbox gets what is stored). */
  options(options: AppendOptions | undefined, given: readonly G[]): AppendOptions | undefined;
  /** The recorded events as handlers see them: as given. */
  plain(recorded: readonly RecordedEvent[], given: readonly G[]): RecordedEvent[];
  /** Opens stored events, in order. */
  open(events: RecordedEvent[]): MaybePromise<RecordedEvent[]>;
}

/** `ledger` with every append sealed and every read opened by `sealing`. */
export function sealingLedger<G>(ledger: Ledger, sealing: Sealing<G>): Ledger {
  const read = (events: MaybePromise<RecordedEvent[]>): MaybePromise<RecordedEvent[]> =>
    chain(events, (e) => sealing.open(e));
  const result = (r: AppendResult, given: readonly G[]): AppendResult => ({
    ...r,
    events: sealing.plain(r.events, given),
  });
  const sealed = (
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions | undefined,
    write: (
      events: readonly NewEvent[],
      options: AppendOptions | undefined,
    ) => MaybePromise<AppendResult>,
  ): MaybePromise<AppendResult> => {
    const given = sealing.seal(streamId, events, options);
    if (given === undefined) return write(events, options);
    return chain(given, (g) =>
      chain(write(g.map(sealing.stored), sealing.options(options, g)), (r) => result(r, g)),
    );
  };

  const out: Ledger = {
    append: (streamId, events, options) =>
      sealed(streamId, events, options, (e, o) => ledger.append(streamId, e, o)),
    readStream: (streamId, options) => read(ledger.readStream(streamId, options)),
    readAll: (options) => read(ledger.readAll(options)),
    streamVersion: (streamId, options) => ledger.streamVersion(streamId, options),
    headPosition: () => ledger.headPosition(),
    watch: (listener) => ledger.watch(listener),
  };
  if (ledger.close !== undefined) out.close = () => ledger.close!();
  if (ledger.replaceTail !== undefined) {
    out.replaceTail = (streamId, after, events, options) =>
      sealed(streamId, events, options, (e, o) => ledger.replaceTail!(streamId, after, e, o));
  }
  if (ledger.appendBatch !== undefined) {
    out.appendBatch = async (appends: readonly BatchAppend[]) => {
      const given = await Promise.all(
        appends.map((a) => sealing.seal(a.streamId, a.events, a.options)),
      );
      const results = await ledger.appendBatch!(
        appends.map((a, i) => {
          const g = given[i];
          return g === undefined
            ? a
            : {
                streamId: a.streamId,
                events: g.map(sealing.stored),
                options: sealing.options(a.options, g) ?? {},
              };
        }),
      );
      return results.map((r, i) => (given[i] === undefined ? r : result(r, given[i]!)));
    };
  }
  if (ledger.readAllBatches !== undefined) {
    out.readAllBatches = async function* (options) {
      for await (const batch of ledger.readAllBatches!(options)) yield await sealing.open(batch);
    };
  }
  return out;
}
