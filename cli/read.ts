/**
 * Reading the log with the CLI's filters, page by page, and following it live: what `events`,
 * `tail`, `export` and `verify` share.
 */
import type { Ledger, RecordedEvent } from '../js/mod.ts';

/** Which events: a stream or the whole log, narrowed by tenant, type, position and time. */
export interface EventFilter {
  /** One stream (with `tenant`, default `'default'`) instead of the whole log. */
  readonly stream?: string | undefined;
  /** One tenant. */
  readonly tenant?: string | undefined;
  /** Only these types. */
  readonly types?: readonly string[] | undefined;
  /** From this global position, inclusive. */
  readonly from?: number | undefined;
  /** To this global position, inclusive. */
  readonly to?: number | undefined;
  /** From this time (epoch ms), inclusive. */
  readonly since?: number | undefined;
  /** Before this time (epoch ms), exclusive. */
  readonly until?: number | undefined;
}

/** Events read per page. */
export const PAGE = 1000;

/** Whether `e` passes the filters a read could not push down. */
export function matches(e: RecordedEvent, f: EventFilter): boolean {
  if (f.from !== undefined && e.position < f.from) return false;
  if (f.to !== undefined && e.position > f.to) return false;
  if (f.types !== undefined && f.types.length > 0 && !f.types.includes(e.type)) return false;
  if (f.since !== undefined && e.timestamp < f.since) return false;
  if (f.until !== undefined && e.timestamp >= f.until) return false;
  return true;
}

/** The events `filter` names up to `head` (the log's head when not given), in pages. */
export async function* readPages(
  ledger: Ledger,
  filter: EventFilter,
  head?: number,
  onScanned?: (through: number) => void,
): AsyncGenerator<RecordedEvent[]> {
  const last = Math.min(
    filter.to ?? Number.MAX_SAFE_INTEGER,
    head ?? (await ledger.headPosition()),
  );
  if (filter.stream !== undefined) {
    for (let version = 1; ; ) {
      const page = await ledger.readStream(filter.stream, {
        ...(filter.tenant === undefined ? {} : { tenant: filter.tenant }),
        from: version,
        limit: PAGE,
      });
      const kept = page.filter((e) => e.position <= last && matches(e, filter));
      if (kept.length > 0) yield kept;
      onScanned?.(page.length);
      if (page.length < PAGE) return;
      version = page[page.length - 1]!.version + 1;
    }
  }
  for (let from = Math.max(1, filter.from ?? 1); from <= last; ) {
    const page = await ledger.readAll({
      from,
      to: last,
      limit: PAGE,
      ...(filter.tenant === undefined ? {} : { tenant: filter.tenant }),
      ...(filter.types === undefined || filter.types.length === 0 ? {} : { types: filter.types }),
    });
    const kept = page.filter((e) => matches(e, filter));
    if (kept.length > 0) yield kept;
    const through = page.length < PAGE ? last : page[page.length - 1]!.position;
    onScanned?.(through);
    from = through + 1;
  }
}

/**
 * Calls `onEvents` with each new page of matching events after position `after`, as they commit,
 * until `signal` aborts.
 */
export function follow(
  ledger: Ledger,
  filter: EventFilter,
  after: number,
  onEvents: (events: RecordedEvent[]) => void,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = after;
    let reading: Promise<void> | undefined;
    let again = false;
    const read = async (): Promise<void> => {
      const head = await ledger.headPosition();
      if (head <= seen) return;
      for await (const page of readPages(ledger, { ...filter, from: seen + 1 }, head)) {
        onEvents(page);
      }
      seen = head;
    };
    const wake = (): void => {
      if (reading !== undefined) {
        again = true;
        return;
      }
      reading = read()
        .catch((error: unknown) => {
          stop();
          reject(error);
        })
        .finally(() => {
          reading = undefined;
          if (again && !signal.aborted) {
            again = false;
            wake();
          }
        });
    };
    const unwatch = ledger.watch(wake);
    // a driver's watch may not hold the process open (SQLite polls on an unref'd timer)
    const alive = setInterval(() => {}, 1 << 30);
    const stop = (): void => {
      clearInterval(alive);
      unwatch();
      resolve();
    };
    signal.addEventListener('abort', stop, { once: true });
    wake();
  });
}
