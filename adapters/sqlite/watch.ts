/**
 * Model changes made by other connections (another process on the same file): SQLite tells a
 * connection that the file changed through `PRAGMA data_version`, which moves when another
 * connection commits and never for this one's own commits. Polled only while someone watches; it
 * cannot say which perspectives changed, so live lenses read again and skip an equal answer.
 */
import type { StoreChange } from '../../js/mod.ts';
import type { SqliteDatabase } from './engine.ts';

/** The store's `watch` on `db`, and what stops its timer. */
export interface ModelWatch {
  watch(listener: (change: StoreChange) => void): () => void;
  close(): void;
}

/** Watches `db` for other connections' commits, polling every `pollMs`. */
export function modelWatch(db: SqliteDatabase, pollMs: number): ModelWatch {
  const listeners = new Set<(change: StoreChange) => void>();
  const version = db.prepare('PRAGMA data_version');
  const read = (): number => Number(version.get()?.data_version ?? 0);
  let timer: ReturnType<typeof setInterval> | undefined;
  let seen = 0;
  const stop = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  const poll = (): void => {
    let v: number;
    try {
      v = read();
    } catch {
      return; // closed meanwhile: the driver's close stops the timer
    }
    if (v === seen) return;
    seen = v;
    for (const listener of listeners) listener({});
  };
  return {
    watch(listener) {
      listeners.add(listener);
      if (timer === undefined) {
        seen = read();
        timer = setInterval(poll, pollMs);
        (timer as { unref?: () => void }).unref?.();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) stop();
      };
    },
    close() {
      stop();
      listeners.clear();
    },
  };
}
