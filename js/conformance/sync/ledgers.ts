/** What the sync suite reads of a ledger and wraps around one. */
import type { AppendResult, Ledger, RecordedEvent } from '../whizbang.ts';

/** The events of every stream, in version order: what two converged replicas share. */
export async function streamsOf(ledger: Ledger): Promise<Map<string, unknown[]>> {
  const all: RecordedEvent[] = await ledger.readAll();
  const streams = new Map<string, unknown[]>();
  for (const e of all) {
    const key = `${e.tenant}/${e.streamId}`;
    let list = streams.get(key);
    if (list === undefined) {
      list = [];
      streams.set(key, list);
    }
    list.push({ version: e.version, type: e.type, messageId: e.messageId, data: e.data });
  }
  for (const list of streams.values()) {
    (list as Array<{ version: number }>).sort((a, b) => a.version - b.version);
  }
  return new Map([...streams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * `ledger` whose appends call `after` once the commit is stored and before its answer returns:
 * `after` may throw (an answer lost on the way) or end the process (a crash right after a push).
 */
export function afterAppend(
  ledger: Ledger,
  after: (result: AppendResult) => void | Promise<void>,
): Ledger {
  return {
    ...ledger,
    readStream: (...args) => ledger.readStream(...args),
    readAll: (...args) => ledger.readAll(...args),
    streamVersion: (...args) => ledger.streamVersion(...args),
    headPosition: () => ledger.headPosition(),
    watch: (listener) => ledger.watch(listener),
    async append(...args) {
      const result = await ledger.append(...args);
      await after(result);
      return result;
    },
  };
}

/**
 * `ledger` whose reads of the log call `hook` first while it is set (once each): a round's pull
 * meets a local command sent at that very moment.
 */
export function duringRead(
  ledger: Ledger,
  hook: { current?: (() => Promise<void>) | undefined },
): Ledger {
  const first = async (): Promise<void> => {
    const h = hook.current;
    hook.current = undefined;
    await h?.();
  };
  const wrapped: Ledger = {
    ...ledger,
    append: (...args) => ledger.append(...args),
    readStream: (...args) => ledger.readStream(...args),
    streamVersion: (...args) => ledger.streamVersion(...args),
    headPosition: () => ledger.headPosition(),
    watch: (listener) => ledger.watch(listener),
    async readAll(...args) {
      await first();
      return ledger.readAll(...args);
    },
  };
  const batches = ledger.readAllBatches?.bind(ledger);
  if (batches === undefined) return wrapped;
  return {
    ...wrapped,
    async *readAllBatches(options) {
      await first();
      yield* batches(options);
    },
  };
}
