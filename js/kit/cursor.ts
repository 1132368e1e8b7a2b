/**
 * Cursors of lens query pages: the sort values and id of the last model of a page, so the next
 * page starts right after it (keyset paging). A model written or deleted elsewhere in the order
 * between two pages moves no other model across the boundary: nothing repeats, nothing is skipped.
 */
import type { OrderBy } from '../contracts/query.ts';
import { WhizbangError } from '../util/errors.ts';
import { hasRefusedText } from './limits.ts';
import { pathValue, sortKeys } from './path.ts';

/** A value as the order sees it: numbers, strings and booleans; everything else ties as null. */
export type SortValue = number | string | boolean | null;

/** A decoded cursor: the sort values of the model it was made from, then its id. */
export interface Cursor {
  /** One value per sort key of the query, in order. */
  readonly values: readonly SortValue[];
  /** The model's id (the last sort key of every query). */
  readonly id: string;
}

const MAX_CURSOR_CHARS = 64 * 1024;

function badCursor(why: string): WhizbangError {
  return new WhizbangError(
    'INVALID_QUERY',
    `"after" ${why}. Pass the \`next\` cursor of a page of the same query (same orderBy), unchanged.`,
  );
}

/** The value a model has for the order at `field`. */
export function sortValue(model: unknown, field: string): SortValue {
  const v = pathValue(model, field);
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : null;
}

/** The cursor after the model `id` with value `model`, for a query ordered by `orderBy`. */
export function cursorOf(id: string, model: unknown, orderBy: OrderBy | undefined): string {
  const values = sortKeys(orderBy).map(([field]) => sortValue(model, field));
  return JSON.stringify([...values, id]);
}

const isSortValue = (v: unknown): v is SortValue =>
  v === null ||
  typeof v === 'boolean' ||
  (typeof v === 'number' && Number.isFinite(v)) ||
  (typeof v === 'string' && !hasRefusedText(v));

/** Reads `after` for a query ordered by `orderBy`; INVALID_QUERY when it is not one of its cursors. */
export function decodeCursor(after: unknown, orderBy: OrderBy | undefined): Cursor {
  if (typeof after !== 'string') throw badCursor('must be a cursor string');
  if (after.length > MAX_CURSOR_CHARS) throw badCursor(`is over ${MAX_CURSOR_CHARS} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(after);
  } catch {
    throw badCursor('is not a cursor');
  }
  const keys = sortKeys(orderBy).length;
  if (!Array.isArray(parsed) || parsed.length !== keys + 1) {
    throw badCursor(`was not made for this query's order (${keys} sort keys)`);
  }
  const id = parsed[keys];
  if (typeof id !== 'string' || id.length === 0 || hasRefusedText(id)) {
    throw badCursor('holds no model id');
  }
  const values = parsed.slice(0, keys);
  if (!values.every(isSortValue)) throw badCursor('holds a value no model sorts by');
  return { values, id };
}

// numbers, then strings, then booleans, then null — whichever the direction (as `runQuery` sorts)
const rank = (v: SortValue): number =>
  typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : typeof v === 'boolean' ? 2 : 3;

/** Compares two sort values for a key sorted `dir`: negative when `a` comes first. */
export function compareSortValues(a: SortValue, b: SortValue, dir: 'asc' | 'desc'): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 3 || a === b) return 0;
  const c = (a as number) < (b as number) ? -1 : 1;
  return dir === 'asc' ? c : -c;
}

/** Compares ids as every driver orders them (UTF-16 units; the same as UTF-8 bytes below U+E000). */
export const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** True when the model `id` with value `model` comes after `cursor` in the order of `orderBy`. */
export function isAfter(
  id: string,
  model: unknown,
  orderBy: OrderBy | undefined,
  cursor: Cursor,
): boolean {
  const keys = sortKeys(orderBy);
  for (let i = 0; i < keys.length; i++) {
    const [field, dir] = keys[i]!;
    const c = compareSortValues(sortValue(model, field), cursor.values[i]!, dir);
    if (c !== 0) return c > 0;
  }
  return compareIds(id, cursor.id) > 0;
}
