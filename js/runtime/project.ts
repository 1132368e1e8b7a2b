/** Applies events to perspectives through one store transaction (inline, async and rebuilds alike). */

import type { RecordedEvent } from '../contracts/ledger.ts';
import type { StoredModel, StoreWriter } from '../contracts/store.ts';
import type { Perspective } from '../definitions/perspective.ts';
import { protectedFields } from '../messages/protected.ts';
import { WhizbangError } from '../util/errors.ts';
import { isThenable, type MaybePromise } from '../util/maybe.ts';

function failed(p: Perspective, event: RecordedEvent, cause: unknown): WhizbangError {
  // what apply() threw may quote the event: not repeated for an event with protected fields
  const reason =
    protectedFields(event.type) !== undefined
      ? 'see `cause` (protected fields)'
      : cause instanceof Error
        ? cause.message
        : typeof cause === 'string'
          ? cause
          : String(cause);
  return new WhizbangError(
    'HANDLER_FAILED',
    `Perspective "${p.name}" failed to apply "${event.type}" (stream "${event.streamId}", position ${event.position}): ${reason}. ` +
      'Nothing of this transaction was written; fix apply() and retry (or rebuild the perspective).',
    { cause },
  );
}

function write(
  p: Perspective,
  event: RecordedEvent,
  id: string,
  row: StoredModel | undefined,
  tx: StoreWriter,
): MaybePromise<void> {
  let next: unknown;
  try {
    // not frozen here: freezing every model on the write path measured 7–14% of the memory
    // command path; a lens freezes what it hands out instead
    next = p.apply(row === undefined ? p.initial() : row.model, event);
    if (next === undefined) {
      throw new Error('apply returned undefined: return the next model, or null to delete it');
    }
  } catch (cause) {
    throw failed(p, event, cause);
  }
  if (next === null) return row === undefined ? undefined : tx.delete(p.name, event.tenant, id);
  return tx.put(p.name, {
    id,
    tenant: event.tenant,
    model: next,
    version: (row?.version ?? 0) + 1,
    position: event.position,
    updatedAt: event.timestamp,
  });
}

/** Applies one event to one perspective. */
export function applyOne(
  p: Perspective,
  event: RecordedEvent,
  tx: StoreWriter,
): MaybePromise<void> {
  if (!p.types.has(event.type)) return;
  let id: string | undefined;
  try {
    id = p.key(event);
  } catch (cause) {
    throw failed(p, event, cause);
  }
  if (id === undefined) return;
  const row = tx.get(p.name, event.tenant, id);
  return isThenable<StoredModel | undefined>(row)
    ? Promise.resolve(row).then((r) => write(p, event, id, r, tx))
    : write(p, event, id, row, tx);
}

async function finish(
  perspectives: readonly Perspective[],
  events: readonly RecordedEvent[],
  tx: StoreWriter,
  through: number,
  pending: PromiseLike<void>,
  i: number,
  j: number,
): Promise<void> {
  await pending;
  for (let k = j + 1; k < perspectives.length; k++)
    await applyOne(perspectives[k]!, events[i]!, tx);
  for (let e = i + 1; e < events.length; e++) {
    for (const p of perspectives) await applyOne(p, events[e]!, tx);
  }
  for (const p of perspectives) await tx.setCheckpoint(p.name, through);
}

/**
 * Applies `events` to each of `perspectives` in order, then moves their checkpoints to `through`.
 * Stays synchronous while the store is.
 */
export function applyEvents(
  perspectives: readonly Perspective[],
  events: readonly RecordedEvent[],
  tx: StoreWriter,
  through: number,
): MaybePromise<void> {
  for (let i = 0; i < events.length; i++) {
    for (let j = 0; j < perspectives.length; j++) {
      const r = applyOne(perspectives[j]!, events[i]!, tx);
      if (isThenable<void>(r)) return finish(perspectives, events, tx, through, r, i, j);
    }
  }
  for (let j = 0; j < perspectives.length; j++) {
    const r = tx.setCheckpoint(perspectives[j]!.name, through);
    if (isThenable<void>(r)) {
      return Promise.resolve(r).then(async () => {
        for (let k = j + 1; k < perspectives.length; k++)
          await tx.setCheckpoint(perspectives[k]!.name, through);
      });
    }
  }
}
