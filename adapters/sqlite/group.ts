/**
 * Group commit on SQLite: the appends made while a batch is written go together in the next one,
 * one `BEGIN IMMEDIATE … COMMIT` for all (one write lock, one WAL commit). Each append's expected
 * version is checked on its own before it writes anything, so a conflict fails that append alone
 * and the others commit. When anything else throws (an append's inline work), the transaction is
 * rolled back and each append goes again alone, so that failure stays with its own append.
 */

import type { EncodedPayload } from '../../js/kit/mod.ts';
import { type FlushBatch, isThenable, type Settled, settle } from '../../js/kit/mod.ts';
import {
  type AppendOptions,
  type AppendResult,
  type ExpectedVersion,
  isConcurrencyError,
  type MaybePromise,
  type NewEvent,
} from '../../js/mod.ts';
import type { Gate } from './gate.ts';

/** One append, checked and encoded, waiting for its batch. */
export interface SqlitePendingAppend {
  readonly streamId: string;
  readonly tenant: string;
  readonly expected: ExpectedVersion;
  readonly events: readonly NewEvent[];
  readonly payloads: readonly EncodedPayload[];
  readonly options: AppendOptions;
}

/** Writes one append inside an open transaction (the ledger's own). */
export type WriteAppend = (append: SqlitePendingAppend) => MaybePromise<AppendResult>;

/** The flush of a SQLite ledger's group commit. */
export function sqliteGroupFlush(
  gate: Gate,
  write: WriteAppend,
): FlushBatch<SqlitePendingAppend, AppendResult> {
  const alone = (a: SqlitePendingAppend): Promise<Settled<AppendResult>> =>
    settle(() => gate.run(() => write(a)));
  const together = (
    items: readonly SqlitePendingAppend[],
    began: { now: boolean },
  ): MaybePromise<Settled<AppendResult>[]> =>
    gate.run(() => {
      began.now = true;
      const settled: Settled<AppendResult>[] = [];
      const from = (start: number): MaybePromise<Settled<AppendResult>[]> => {
        for (let i = start; i < items.length; i++) {
          let result: MaybePromise<AppendResult>;
          try {
            result = write(items[i]!);
          } catch (error) {
            // a conflict is found before the append writes anything: the others go on
            if (!isConcurrencyError(error)) throw error;
            settled.push({ ok: false, error });
            continue;
          }
          if (isThenable<AppendResult>(result)) {
            return Promise.resolve(result).then((value) => {
              settled.push({ ok: true, value });
              return from(i + 1);
            });
          }
          settled.push({ ok: true, value: result });
        }
        return settled;
      };
      return from(0);
    });
  return async (items) => {
    if (items.length === 1) return [await alone(items[0]!)];
    const began = { now: false };
    try {
      return await together(items, began);
    } catch (error) {
      // the write lock was never had (BUSY): that is everyone's answer
      if (!began.now) throw error;
      // rolled back: each alone, in order, so the failure is only its own append's
      const settled: Settled<AppendResult>[] = [];
      for (const a of items) settled.push(await alone(a));
      return settled;
    }
  };
}
