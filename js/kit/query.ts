/**
 * The reference semantics of lens queries: the checks every driver makes before a query runs, and
 * the evaluator in JavaScript that drivers without pushdown use (and pushdowns are tested against).
 */
import type { FieldFilter, OrderBy, Query, Where } from '../contracts/query.ts';
import { WhizbangError } from '../util/errors.ts';
import { DEFAULT_LIMITS, hasRefusedText, type Limits } from './limits.ts';

const OPERATORS = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'contains']);

function invalidQuery(message: string): WhizbangError {
  return new WhizbangError(
    'INVALID_QUERY',
    `${message} See the Query type for what lenses accept.`,
  );
}

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
  const orderBy = query.orderBy;
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

/** The sort keys of a query, in order. */
export function sortKeys(orderBy: OrderBy | undefined): Array<[string, 'asc' | 'desc']> {
  if (orderBy === undefined) return [];
  const list = Array.isArray(orderBy) ? orderBy : [orderBy];
  return list.flatMap((o: Readonly<Record<string, 'asc' | 'desc'>>) => Object.entries(o));
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

// numbers, then strings, then booleans, then everything else (missing, null, arrays, objects)
// last, whichever the direction — the order of SQL's typed CASE sort keys with NULLS LAST
const rank = (v: unknown): number =>
  typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : typeof v === 'boolean' ? 2 : 3;

function compare(a: unknown, b: unknown, dir: 'asc' | 'desc'): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 3 || a === b) return 0;
  const c = (a as number) < (b as number) ? -1 : 1;
  return dir === 'asc' ? c : -c;
}

/** Filters, sorts and pages `items` (each read through `modelOf`) in JavaScript. */
export function runQuery<T>(
  items: Iterable<T>,
  modelOf: (item: T) => unknown,
  query: Query,
  limits: Limits = DEFAULT_LIMITS,
): T[] {
  checkQuery(query, limits);
  const out: T[] = [];
  for (const item of items) if (matches(modelOf(item), query.where)) out.push(item);
  const keys = sortKeys(query.orderBy);
  if (keys.length > 0) {
    out.sort((x, y) => {
      for (const [field, dir] of keys) {
        const c = compare(pathValue(modelOf(x), field), pathValue(modelOf(y), field), dir);
        if (c !== 0) return c;
      }
      return 0;
    });
  }
  const offset = query.offset ?? 0;
  return query.limit === undefined ? out.slice(offset) : out.slice(offset, offset + query.limit);
}
