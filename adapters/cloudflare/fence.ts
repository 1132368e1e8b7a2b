/**
 * Inline work given a writer that belongs to one attempt of the gate: when the gate rolls an
 * attempt back to run it again asynchronously (`storage.ts`), what the abandoned attempt still
 * does after its await reaches nothing.
 */

import type { AppendOptions, StoreWriter } from '../../js/mod.ts';
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
  const check = (): void => {
    if (gate.attempt !== attempt) throw abandoned();
  };
  const outbox = tx.outbox;
  return {
    get: (p, t, id) => (check(), tx.get(p, t, id)),
    put: (p, row) => (check(), tx.put(p, row)),
    delete: (p, t, id) => (check(), tx.delete(p, t, id)),
    setCheckpoint: (p, position) => (check(), tx.setCheckpoint(p, position)),
    ...(outbox === undefined
      ? {}
      : {
          outbox: {
            enqueue: (records) => (check(), outbox.enqueue(records)),
            markHandled: (t, id, rest) => (check(), outbox.markHandled(t, id, rest)),
            markFinished: (t, id) => (check(), outbox.markFinished(t, id)),
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
