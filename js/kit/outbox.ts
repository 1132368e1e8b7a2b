/**
 * The outbox's line, for a store without a query language of its own (memory, IndexedDB, a
 * key-value backend): which records are due, a stream waiting for its oldest record.
 */
import { type OutboxRecord, outboxStream } from '../contracts/outbox.ts';

/**
 * The records of `line` (in line order) due at `now`, at most `limit` — none behind a record of its
 * stream that is not due yet, so a failed record holds its stream and no other.
 */
export function dueRecords<R extends OutboxRecord>(
  line: Iterable<R>,
  limit: number,
  now: number,
): R[] {
  const due: R[] = [];
  const held = new Set<string>();
  if (limit <= 0) return due;
  for (const record of line) {
    if (record.availableAt > now) {
      held.add(outboxStream(record));
      continue;
    }
    if (held.size > 0 && held.has(outboxStream(record))) continue;
    due.push(record);
    if (due.length >= limit) break;
  }
  return due;
}
