/**
 * The reference semantics of lens queries: the checks every driver makes before a query runs, and
 * the evaluator in JavaScript that drivers without pushdown use (and pushdowns are tested against).
 */
import type { FieldFilter, OrderBy, Query, Where } from '../contracts/query.ts';
import { WhizbangError } from '../util/errors.ts';

const OPERATORS = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'contains']);

function invalidQuery(message: string): WhizbangError {
  return new WhizbangError(
    'INVALID_QUERY',
    `${message} See the Query type for what lenses accept.`,
  );
}

/** Reads a dotted path from a value. */
export function pathValue(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
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

/** Checks a query's shape, so that bad input fails the same way on every driver. */
export function checkQuery(query: Query): void {
  for (const [field, filter] of Object.entries(query.where ?? {})) {
    if (field.length === 0) throw invalidQuery('A filter needs a field name.');
    if (isFilter(filter)) {
      for (const op of Object.keys(filter)) {
        if (!OPERATORS.has(op)) {
          throw invalidQuery(
            `Unknown operator "${op}" on "${field}"; use one of ${[...OPERATORS].join(', ')}.`,
          );
        }
      }
      if ('in' in filter && !Array.isArray(filter.in)) {
        throw invalidQuery(`"in" on "${field}" takes an array of values.`);
      }
      for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
        const v = filter[op];
        if (v !== undefined && typeof v !== 'number' && typeof v !== 'string') {
          throw invalidQuery(
            `"${op}" on "${field}" takes a number or a string, got ${JSON.stringify(v)}.`,
          );
        }
      }
    }
  }
  for (const [name, value] of [
    ['limit', query.limit],
    ['offset', query.offset],
  ] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw invalidQuery(`"${name}" must be a whole number ≥ 0, got ${value}.`);
    }
  }
  for (const order of sortKeys(query.orderBy)) {
    if (order[1] !== 'asc' && order[1] !== 'desc') {
      throw invalidQuery(`Sort direction of "${order[0]}" must be 'asc' or 'desc'.`);
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

const missing = (v: unknown): boolean => v === undefined || v === null;

function compare(a: unknown, b: unknown, dir: 'asc' | 'desc'): number {
  if (a === b) return 0;
  // missing values sort last whichever the direction, as SQL's NULLS LAST
  if (missing(a)) return missing(b) ? 0 : 1;
  if (missing(b)) return -1;
  const c = (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  return dir === 'asc' ? c : -c;
}

/** Filters, sorts and pages `items` (each read through `modelOf`) in JavaScript. */
export function runQuery<T>(items: Iterable<T>, modelOf: (item: T) => unknown, query: Query): T[] {
  checkQuery(query);
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
