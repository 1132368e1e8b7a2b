/**
 * Live lenses across processes on PostgreSQL. The store's `watch` LISTENs on the schema's
 * channel, on which every append already NOTIFYs its new head (the app skips its own by
 * position); model writes made without an append (an async perspective's batch, a rebuild's
 * clear) send a notice of their own there at commit: `m`, the sending store's origin, `:` and the
 * perspectives' names as JSON; a store skips its own.
 * The ledger's watchers read a notice that is not a number as nothing new.
 */
import { notingWriter } from '../../js/kit/mod.ts';
import type { MaybePromise, StoreChange, StoreWriter } from '../../js/mod.ts';
import type { PgEngine } from './engine.ts';
import type { SchemaNames } from './schema.ts';
import type { PgStore } from './store.ts';

/** NOTIFY payloads are at most 8000 bytes: past this many names, a notice names none. */
const MAX_NAMED = 64;

/** What a notice says, or undefined for a notice of this store's own (origin `self`). */
function notice(payload: string, self: string): StoreChange | undefined {
  if (!payload.startsWith('m')) {
    const position = Number(payload);
    return Number.isSafeInteger(position) ? { position } : {};
  }
  const colon = payload.indexOf(':');
  if (colon === -1) return {};
  if (payload.slice(1, colon) === self) return undefined;
  try {
    const names = JSON.parse(payload.slice(colon + 1)) as unknown;
    if (Array.isArray(names) && names.every((n) => typeof n === 'string'))
      return { perspectives: names };
  } catch {
    // a notice this version cannot read: any model may have changed
  }
  return {};
}

/**
 * `store` with a `watch`, and with transactions and clears that notify other processes; `stop`
 * stops listening (the driver's close waits for it).
 */
export function liveAcrossProcesses(
  store: PgStore,
  engine: PgEngine,
  s: SchemaNames,
): { readonly store: PgStore; readonly stop: () => Promise<void> } {
  const NOTIFY = 'SELECT pg_notify($1, $2)';
  const self = Math.random().toString(36).slice(2, 12);
  const payload = (names: Iterable<string>): string => {
    const list = [...names];
    return `m${self}:${list.length > MAX_NAMED ? 'null' : JSON.stringify(list)}`;
  };
  const transaction = <T>(fn: (tx: StoreWriter) => MaybePromise<T>): Promise<T> =>
    store.within(async (c, writer) => {
      const names = new Set<string>();
      const value = await fn(notingWriter(writer, names));
      if (names.size > 0) await c.query(NOTIFY, [s.channel, payload(names)]);
      return value;
    });
  const clear = (perspective: string): Promise<void> =>
    store
      .clear(perspective)
      .then(() => engine.query(NOTIFY, [s.channel, payload([perspective])]))
      .then(() => undefined);

  const listeners = new Set<(change: StoreChange) => void>();
  let stop: Promise<(() => Promise<void>) | undefined> | undefined;
  let stopping: Promise<void> = Promise.resolve();
  const end = (): Promise<void> => {
    const started = stop;
    stop = undefined;
    if (started !== undefined) {
      stopping = started.then((unlisten) => unlisten?.()).catch(() => undefined);
    }
    return stopping;
  };
  const watch = (listener: (change: StoreChange) => void): (() => void) => {
    listeners.add(listener);
    stop ??= engine
      .listen(
        s.channel,
        (text) => {
          const change = notice(text, self);
          if (change !== undefined) for (const l of listeners) l(change);
        },
        () => {
          for (const l of listeners) l({}); // notices were missed while reconnecting
        },
      )
      .catch(() => undefined); // LISTEN unavailable (a pooler in transaction mode)
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) void end();
    };
  };
  const stopListening = (): Promise<void> => {
    listeners.clear();
    return end();
  };
  return { store: { ...store, transaction, clear, watch }, stop: stopListening };
}
