/**
 * The reference semantics of lens queries: the checks every driver makes before a query runs, and
 * the evaluator in JavaScript that drivers without pushdown use (and pushdowns are tested against).
 */
import type { FieldFilter, OrderBy, Query, Where } from '../contracts/query.ts';
import { WhizbangError } from '../util/errors.ts';
import {
  compareIds,
  compareSortValues,
  decodeCursor,
  isAfter,
  type SortValue,
  sortValue,
} from './cursor.ts';
import { DEFAULT_LIMITS, hasRefusedText, type Limits } from './limits.ts';
import { pathValue, sortKeys } from './path.ts';

export { pathValue, sortKeys };

const OPERATORS = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'contains']);

function invalidQuery(message: string): WhizbangError {
  return new WhizbangError(
    'INVALID_QUERY',
    `${message} See the Query type for what lenses accept.`,
  );
}

function isFilter(value: unknown): value is FieldFilter {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matchField(actual: unknown, filter: FieldFilter): boolean {
  for (const op of Object.keys(filter)) {
    const expected = (filter as Record<string, unknown>)[op];
    switch (op) {
      case 'eq':
        if (actual !== expected) return false;
        break;
      case 'ne':
        if (actual === expected) return false;
        break;
      case 'gt':
        if (!(typeof actual === typeof expected && (actual as number) > (expected as number)))
          return false;
        break;
      case 'gte':
        if (!(typeof actual === typeof expected && (actual as number) >= (expected as number)))
          return false;
        break;
      case 'lt':
        if (!(typeof actual === typeof expected && (actual as number) < (expected as number)))
          return false;
        break;
      case 'lte':
        if (!(typeof actual === typeof expected && (actual as number) <= (expected as number)))
          return false;
        break;
      case 'in':
        if (!Array.isArray(expected)) throw invalidQuery('"in" takes an array of values.');
        if (!expected.includes(actual)) return false;
        break;
      case 'contains':
        if (typeof actual === 'string') {
          if (typeof expected !== 'string' || !actual.includes(expected)) return false;
        } else if (!Array.isArray(actual) || !actual.includes(expected)) return false;
        break;
      default:
        throw invalidQuery(`Unknown operator "${op}"; use one of ${[...OPERATORS].join(', ')}.`);
    }
  }
  return true;
}

/** Refuses a filter value no driver answers alike: too deep, a BigInt, NaN, U+0000, … */
function checkValue(field: string, op: string, value: unknown, limits: Limits, depth = 0): void {
  const bad = (what: string): WhizbangError => invalidQuery(`"${op}" on "${field}" ${what}.`);
  switch (typeof value) {
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw bad(`takes a finite number, got ${value}`);
      return;
    case 'string':
      if (hasRefusedText(value)) throw bad('holds U+0000 or an unpaired surrogate');
      return;
    case 'object': {
      if (value === null) return;
      if (depth >= limits.maxDepth) {
        throw bad(`nests deeper than ${limits.maxDepth} levels (the "maxDepth" limit)`);
      }
      const items = Array.isArray(value) ? value : Object.entries(value).flat();
      for (const item of items) checkValue(field, op, item, limits, depth + 1);
      return;
    }
    default:
      throw bad(
        `takes JSON values (strings, numbers, booleans, null, arrays, objects), got a ${typeof value}`,
      );
  }
}

function checkWhere(where: unknown, limits: Limits): void {
  if (where === undefined) return;
  if (!isFilter(where)) throw invalidQuery('"where" must be an object of fields.');
  const fields = Object.keys(where);
  if (fields.length > limits.maxWhereFields) {
    throw invalidQuery(
      `"where" filters on ${fields.length} fields, over the limit of ${limits.maxWhereFields} (the "maxWhereFields" limit).`,
    );
  }
  for (const field of fields) {
    checkField(field, limits);
    const filter = (where as Record<string, unknown>)[field];
    if (!isFilter(filter)) {
      if (filter !== null && typeof filter === 'object') {
        throw invalidQuery(`The filter on "${field}" must be a value or an object of operators.`);
      }
      checkValue(field, 'eq', filter, limits);
      continue;
    }
    for (const op of Object.keys(filter)) {
      if (!OPERATORS.has(op)) {
        throw invalidQuery(
          `Unknown operator "${op}" on "${field}"; use one of ${[...OPERATORS].join(', ')}.`,
        );
      }
    }
    if ('in' in filter) {
      if (!Array.isArray(filter.in))
        throw invalidQuery(`"in" on "${field}" takes an array of values.`);
      if (filter.in.length > limits.maxInValues) {
        throw invalidQuery(
          `"in" on "${field}" has ${filter.in.length} values, over the limit of ${limits.maxInValues} (the "maxInValues" limit).`,
        );
      }
    }
    for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
      const v = filter[op];
      if (v !== undefined && typeof v !== 'number' && typeof v !== 'string') {
        throw invalidQuery(
          `"${op}" on "${field}" takes a number or a string, got ${typeof v === 'bigint' ? `${v}n` : JSON.stringify(v)}.`,
        );
      }
    }
    for (const op of Object.keys(filter)) {
      checkValue(field, op, (filter as Record<string, unknown>)[op], limits);
    }
  }
}

function checkField(field: string, limits: Limits): void {
  if (field.length === 0) throw invalidQuery('A filter needs a field name.');
  if (hasRefusedText(field)) {
    throw invalidQuery(
      `The field ${JSON.stringify(field.slice(0, 40))} holds U+0000 or an unpaired surrogate.`,
    );
  }
  let segments = 1;
  for (let i = field.indexOf('.'); i !== -1; i = field.indexOf('.', i + 1)) segments++;
  if (segments > limits.maxPathSegments) {
    throw invalidQuery(
      `The field path "${field.slice(0, 40)}…" has ${segments} segments, over the limit of ${limits.maxPathSegments} (the "maxPathSegments" limit).`,
    );
  }
}

/**
 * Checks a query's shape and size (`limits`: fields, sort keys, `in` values, nesting), so that bad
 * or oversized input fails the same way, with INVALID_QUERY, on every driver before it runs.
 */
export function checkQuery(query: Query, limits: Limits = DEFAULT_LIMITS): void {
  if (typeof query !== 'object' || query === null) throw invalidQuery('A query must be an object.');
  checkWhere(query.where, limits);
  for (const [name, value] of [
    ['limit', query.limit],
    ['offset', query.offset],
  ] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw invalidQuery(`"${name}" must be a whole number ≥ 0, got ${String(value)}.`);
    }
  }
  checkOrder(query.orderBy, limits);
  if (query.after !== undefined) decodeCursor(query.after, query.orderBy);
}

function checkOrder(orderBy: OrderBy | undefined, limits: Limits): void {
  if (orderBy === undefined) return;
  if (typeof orderBy !== 'object' || orderBy === null) {
    throw invalidQuery('"orderBy" must be an object of fields or a list of those.');
  }
  const list: readonly unknown[] = Array.isArray(orderBy) ? orderBy : [orderBy];
  let count = 0;
  for (const order of list) {
    if (typeof order !== 'object' || order === null || Array.isArray(order)) {
      throw invalidQuery('Each "orderBy" entry must be an object of fields.');
    }
    for (const [field, dir] of Object.entries(order)) {
      if (++count > limits.maxSortKeys) {
        throw invalidQuery(
          `"orderBy" has more than ${limits.maxSortKeys} sort keys (the "maxSortKeys" limit).`,
        );
      }
      checkField(field, limits);
      if (dir !== 'asc' && dir !== 'desc') {
        throw invalidQuery(`Sort direction of "${field}" must be 'asc' or 'desc'.`);
      }
    }
  }
}

/** True when `model` matches `where`. */
export function matches(model: unknown, where: Where | undefined): boolean {
  if (where === undefined) return true;
  for (const field of Object.keys(where)) {
    const filter = where[field];
    const actual = pathValue(model, field);
    if (isFilter(filter) ? !matchField(actual, filter) : actual !== filter) return false;
  }
  return true;
}

const idOf = (item: unknown): string => {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : '';
};

/**
 * Filters, sorts and pages `items` (each read through `modelOf`) in JavaScript. Items with an
 * `id` (stored models) tie by it, so every driver answers in one order, and `after` (a cursor of
 * a page) keeps the items after that one.
 */
export function runQuery<T>(
  items: Iterable<T>,
  modelOf: (item: T) => unknown,
  query: Query,
  limits: Limits = DEFAULT_LIMITS,
): T[] {
  checkQuery(query, limits);
  const cursor = query.after === undefined ? undefined : decodeCursor(query.after, query.orderBy);
  const keys = sortKeys(query.orderBy);
  // each item with its sort values, read once (not once per comparison)
  const out: Array<{ item: T; id: string; values: SortValue[] }> = [];
  for (const item of items) {
    const model = modelOf(item);
    if (!matches(model, query.where)) continue;
    const id = idOf(item);
    if (cursor !== undefined && !isAfter(id, model, query.orderBy, cursor)) continue;
    out.push({ item, id, values: keys.map(([field]) => sortValue(model, field)) });
  }
  out.sort((x, y) => {
    for (let i = 0; i < keys.length; i++) {
      const c = compareSortValues(x.values[i]!, y.values[i]!, keys[i]![1]);
      if (c !== 0) return c;
    }
    return compareIds(x.id, y.id);
  });
  const offset = query.offset ?? 0;
  const end = query.limit === undefined ? out.length : offset + query.limit;
  return out.slice(offset, end).map((x) => x.item);
}

/** How many of `items` (each read through `modelOf`) match `where`. */
export function countMatches<T>(
  items: Iterable<T>,
  modelOf: (item: T) => unknown,
  where: Where | undefined,
  limits: Limits = DEFAULT_LIMITS,
): number {
  checkQuery({ ...(where === undefined ? {} : { where }) }, limits);
  let n = 0;
  for (const item of items) if (matches(modelOf(item), where)) n++;
  return n;
}
