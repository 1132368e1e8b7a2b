/**
 * Inline work given a writer that belongs to one attempt of the gate: when the gate rolls an
 * attempt back to run it again asynchronously (`storage.ts`), what the abandoned attempt still
 * does after its await reaches nothing.
 */

import type { AppendOptions, OutboxRecord, StoredModel, StoreWriter } from '../../js/mod.ts';
import { WhizbangError } from '../../js/mod.ts';
import type { StorageGate } from './storage.ts';

const abandoned = (): WhizbangError =>
  new WhizbangError(
    'CLOSED',
    'This transaction was rolled back to run again; its writer writes nothing more.',
  );

/** `tx`, refusing every call once `gate` has moved past the attempt it was made in. */
export function fenced(tx: StoreWriter, gate: StorageGate): StoreWriter {
  const attempt = gate.attempt;
  // each call first checks that the attempt is still the gate's
  const checked =
    <A extends unknown[], R>(call: (...args: A) => R) =>
    (...args: A): R => {
      if (gate.attempt !== attempt) throw abandoned();
      return call(...args);
    };
  const outbox = tx.outbox;
  return {
    get: checked((p: string, t: string, id: string) => tx.get(p, t, id)),
    put: checked((p: string, row: StoredModel) => tx.put(p, row)),
    delete: checked((p: string, t: string, id: string) => tx.delete(p, t, id)),
    setCheckpoint: checked((p: string, position: number) => tx.setCheckpoint(p, position)),
    ...(outbox === undefined
      ? {}
      : {
          outbox: {
            enqueue: checked((records: readonly OutboxRecord[]) => outbox.enqueue(records)),
            markHandled: checked((t: string, id: string, rest?: unknown) =>
              outbox.markHandled(t, id, rest),
            ),
            markFinished: checked((t: string, id: string) => outbox.markFinished(t, id)),
          },
        }),
  };
}

/** `options` with its inline work fenced to the attempt it runs in. */
export function fencedOptions<O extends AppendOptions | undefined>(
  options: O,
  gate: StorageGate,
): O {
  const work = options?.inTransaction;
  if (work === undefined) return options;
  return { ...options, inTransaction: (events, tx) => work(events, fenced(tx, gate)) } as O;
}
