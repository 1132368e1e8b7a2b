/**
 * Lens queries as SQL over the JSONB model: filters, sort and paging run in PostgreSQL, with the
 * same answers the JavaScript evaluator in `js/query.ts` gives (the conformance suite holds both to
 * it). Equality filters also test `model @> {…}`, which the GIN index on models answers.
 */

type Primitive = string | number | boolean | null;

const isPrimitive = (v: unknown): v is Primitive =>
  v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

const isFilter = (v: unknown): v is FieldFilter =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The SQL of a query: `where` (starting with AND), `order` (without ORDER BY), and paging. */
export interface SqlQuery {
  readonly where: string;
  readonly order: string;
  readonly page: string;
  readonly params: unknown[];
}

/**
 * Translates `query` over the jsonb column `model`; its parameters are numbered after `offset`
 * parameters the caller already has.
 */
export function toSql(
  query: Query,
  column: string,
  offset: number,
  limits: Limits = DEFAULT_LIMITS,
): SqlQuery {
  checkQuery(query, limits);
  const params: unknown[] = [];
  const param = (value: unknown, cast: string): string => {
    params.push(value);
    return `$${offset + params.length}::${cast}`;
  };
  const paths = new Map<string, string>();
  const at = (field: string): string => {
    let p = paths.get(field);
    if (p === undefined) {
      // a path of identifiers is written out, so an index on a declared field matches it
      p = INDEXABLE.test(field)
        ? pathSql(column, field)
        : `${column} #> ${param(field.split('.'), 'text[]')}`;
      paths.set(field, p);
    }
    return `(${p})`;
  };
  const json = (v: Primitive): string => param(JSON.stringify(v), 'jsonb');
  const eq = (field: string, v: unknown): string => {
    if (v === undefined) return `${at(field)} IS NULL`;
    if (!isPrimitive(v)) return 'false'; // an object is equal only to itself in JavaScript
    const segments = field.split('.');
    const exact = `${at(field)} = ${json(v)}`;
    // containment can use the GIN index; it cannot stand for an array index in the path
    if (segments.some((s) => /^-?\d+$/.test(s))) return exact;
    const contained = segments.reduceRight<unknown>((inner, key) => ({ [key]: inner }), v);
    return `(${column} @> ${param(JSON.stringify(contained), 'jsonb')} AND ${exact})`;
  };
  const compare = (field: string, op: string, v: unknown): string => {
    const x = at(field);
    // CASE, not AND: SQL does not promise to test the type before it casts
    if (typeof v === 'number')
      return `CASE WHEN jsonb_typeof(${x}) = 'number' THEN (${x})::numeric ${op} ${param(v, 'numeric')} ELSE false END`;
    return `CASE WHEN jsonb_typeof(${x}) = 'string' THEN (${x} #>> '{}') COLLATE "C" ${op} ${param(v, 'text')} COLLATE "C" ELSE false END`;
  };

  const clauses: string[] = [];
  for (const [field, filter] of Object.entries(query.where ?? {})) {
    if (!isFilter(filter)) {
      clauses.push(eq(field, filter));
      continue;
    }
    for (const [op, v] of Object.entries(filter)) {
      switch (op) {
        case 'eq':
          clauses.push(eq(field, v));
          break;
        case 'ne':
          if (v === undefined) clauses.push(`${at(field)} IS NOT NULL`);
          else if (isPrimitive(v)) clauses.push(`${at(field)} IS DISTINCT FROM ${json(v)}`);
          break;
        case 'gt':
          clauses.push(compare(field, '>', v));
          break;
        case 'gte':
          clauses.push(compare(field, '>=', v));
          break;
        case 'lt':
          clauses.push(compare(field, '<', v));
          break;
        case 'lte':
          clauses.push(compare(field, '<=', v));
          break;
        case 'in': {
          const list = v as readonly unknown[];
          const values = list.filter(isPrimitive).map((x) => JSON.stringify(x));
          const any =
            values.length > 0 ? `${at(field)} = ANY(${param(values, 'jsonb[]')})` : 'false';
          clauses.push(list.includes(undefined) ? `(${any} OR ${at(field)} IS NULL)` : any);
          break;
        }
        case 'contains': {
          const x = at(field);
          const inString =
            typeof v === 'string'
              ? `(jsonb_typeof(${x}) = 'string' AND strpos(${x} #>> '{}', ${param(v, 'text')}) > 0)`
              : 'false';
          const inArray = isPrimitive(v)
            ? `(jsonb_typeof(${x}) = 'array' AND ${x} @> jsonb_build_array(${json(v)}))`
            : 'false';
          clauses.push(`(${inString} OR ${inArray})`);
          break;
        }
      }
    }
  }

  // missing values last whichever the direction, as the JavaScript evaluator sorts; numbers by
  // value, strings by UTF-8 bytes (JavaScript compares UTF-16 units: the same below U+E000)
  const order: string[] = [];
  const keys: SortKey[] = [];
  for (const [field, dir] of sortKeys(query.orderBy)) {
    const x = at(field);
    const d = dir === 'desc' ? 'DESC' : 'ASC';
    const typed: Array<[string, string, string]> = [
      [`CASE WHEN jsonb_typeof(${x}) = 'number' THEN (${x})::numeric END`, 'number', 'numeric'],
      [
        `CASE WHEN jsonb_typeof(${x}) = 'string' THEN ${x} #>> '{}' END COLLATE "C"`,
        'string',
        'text',
      ],
      [`CASE WHEN jsonb_typeof(${x}) = 'boolean' THEN (${x})::boolean END`, 'boolean', 'boolean'],
    ];
    for (const [sql, type, cast] of typed) {
      order.push(`${sql} ${d} NULLS LAST`);
      keys.push({ sql, dir, type, cast });
    }
  }
  order.push('id COLLATE "C"'); // ties (and no sort at all) in id order, as the other drivers
  if (query.after !== undefined) {
    clauses.push(afterSql(keys, decodeCursor(query.after, query.orderBy), param));
  }

  let page = '';
  if (query.limit !== undefined) page += ` LIMIT ${param(query.limit, 'bigint')}`;
  if (query.offset !== undefined && query.offset > 0)
    page += ` OFFSET ${param(query.offset, 'bigint')}`;
  return {
    where: clauses.length > 0 ? ` AND ${clauses.join(' AND ')}` : '',
    order: order.join(', '),
    page,
    params,
  };
}

import {
  checkQuery,
  DEFAULT_LIMITS,
  decodeCursor,
  type Limits,
  sortKeys,
} from '../../js/kit/mod.ts';
import type { FieldFilter, Query } from '../../js/mod.ts';
import { afterSql, INDEXABLE, pathSql, type SortKey } from './keyset.ts';
