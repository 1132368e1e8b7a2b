/**
 * `whizbang events` and `whizbang tail`: the log or one stream, filtered, as a table in a terminal
 * or as JSON lines (`--json`, or whenever stdout is not a terminal and no table was asked for);
 * `--follow` (always on for `tail`) goes on with events as they commit, until Ctrl-C.
 */
import type { RecordedEvent } from '../../js/mod.ts';
import type { Target } from '../backend.ts';
import { type EventFilter, follow, readPages } from '../read.ts';
import { toLine } from '../records.ts';
import { header, row } from '../table.ts';

/** Options of `events` and `tail`. */
export interface EventsOptions {
  /** JSON lines instead of a table. */
  readonly json: boolean;
  /** Go on with events as they commit. */
  readonly follow: boolean;
  /** `tail`: start this many positions before the head. */
  readonly last?: number | undefined;
  /** At most this many events (not with follow). */
  readonly limit?: number | undefined;
}

/** Prints the events `filter` names, then follows when asked; resolves when done or stopped. */
export async function printEvents(
  target: Target,
  filter: EventFilter,
  options: EventsOptions,
  signal: AbortSignal,
): Promise<void> {
  const out = process.stdout;
  // in a terminal each row fits its width; piped, payloads are whole
  const width = out.isTTY ? (out.columns ?? 120) : Number.POSITIVE_INFINITY;
  const write = (events: RecordedEvent[]): void => {
    const text = events.map((e) => (options.json ? toLine(e) : row(e, width))).join('\n');
    out.write(`${text}\n`);
  };
  if (!options.json) out.write(`${header()}\n`);
  const head = await target.ledger.headPosition();
  const start =
    options.last === undefined
      ? filter
      : { ...filter, from: Math.max(filter.from ?? 1, head - options.last + 1) };
  let left = options.limit ?? Number.POSITIVE_INFINITY;
  for await (const page of readPages(target.ledger, start, head)) {
    if (signal.aborted) return;
    const shown = page.slice(0, left);
    write(shown);
    left -= shown.length;
    if (left <= 0) return;
  }
  if (options.follow && !signal.aborted) {
    await follow(target.ledger, filter, Math.max(head, (filter.from ?? 1) - 1), write, signal);
  }
}
