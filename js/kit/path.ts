/** Dotted field paths into a model, and the sort keys of a query: shared by the evaluator and cursors. */
import type { OrderBy } from '../contracts/query.ts';

const INDEX = /^(?:0|[1-9][0-9]*)$/;
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Reads a dotted path from a value, as the SQL drivers do: only a model's own members (never
 * `toString` or an array's `length`), and array elements by index.
 */
export function pathValue(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current) ? !INDEX.test(key) : !hasOwn.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The sort keys of a query, in order. */
export function sortKeys(orderBy: OrderBy | undefined): Array<[string, 'asc' | 'desc']> {
  if (orderBy === undefined) return [];
  const list = Array.isArray(orderBy) ? orderBy : [orderBy];
  return list.flatMap((o: Readonly<Record<string, 'asc' | 'desc'>>) => Object.entries(o));
}
