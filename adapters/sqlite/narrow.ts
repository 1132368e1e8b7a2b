/**
 * Indexed lens queries on SQLite: each declared field has an expression index
 * `(perspective, tenant, json_extract(model, '$.field'))`, and the filters of a query on declared
 * fields become conditions that index answers. They narrow the rows to a superset of the answer
 * (SQLite compares across types and parses JSON numbers to within a few ulps), and the reference
 * evaluator decides on those rows, so the answer is the one every driver gives.
 */
import type { FieldFilter, Query, Where } from '../../js/mod.ts';

/** Conditions (each starting with AND), their parameters, and the index to read them from. */
export interface Narrowing {
  readonly sql: string;
  readonly params: unknown[];
  /** ` INDEXED BY "…"` (SQLite's planner, without statistics, prefers the primary key), or ''. */
  readonly indexedBy: string;
}

/** The SQL of the value of a declared field (the indexed expression: it must match it exactly). */
export const fieldSql = (field: string): string => `json_extract(model, '$.${field}')`;

/** The statement that makes the index of a declared field (a dotted path of identifiers). */
export const indexSql = (field: string): string =>
  `CREATE INDEX IF NOT EXISTS ${indexName(field)} ON whizbang_models (perspective, tenant, ${fieldSql(field)})`;

const indexName = (field: string): string => `"whizbang_models_by_${field}"`;

// a float in JSON text may come out of SQLite's parser a few ulps away from JavaScript's
const slack = (v: number): number => Math.abs(v) * 1e-9 + 1e-300;
// below U+D800, UTF-8 bytes (SQLite) and UTF-16 units (JavaScript) order strings alike
const SAFE_TEXT = /^[^\ud800-\uffff]*$/;

const isFilter = (v: unknown): v is FieldFilter =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The conditions of one field's filter, as [sql, params] pairs. */
function conditions(field: string, filter: Where[string]): Array<[string, unknown[]]> {
  const x = fieldSql(field);
  const out: Array<[string, unknown[]]> = [];
  const eq = (v: unknown): void => {
    if (typeof v === 'string') out.push([`${x} = ?`, [v]]);
    else if (typeof v === 'number' && Number.isSafeInteger(v)) out.push([`${x} = ?`, [v]]);
    else if (typeof v === 'number')
      out.push([`${x} BETWEEN ? AND ?`, [v - slack(v), v + slack(v)]]);
  };
  const bound = (op: '>' | '<', v: unknown): void => {
    if (typeof v === 'number')
      out.push([`${x} ${op}= ?`, [op === '>' ? v - slack(v) : v + slack(v)]]);
    else if (typeof v === 'string' && SAFE_TEXT.test(v)) out.push([`${x} ${op}= ?`, [v]]);
  };
  if (!isFilter(filter)) {
    eq(filter);
    return out;
  }
  if ('eq' in filter) eq(filter.eq);
  if (filter.gt !== undefined) bound('>', filter.gt);
  if (filter.gte !== undefined) bound('>', filter.gte);
  if (filter.lt !== undefined) bound('<', filter.lt);
  if (filter.lte !== undefined) bound('<', filter.lte);
  const list = filter.in;
  if (
    Array.isArray(list) &&
    list.every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v)))
  ) {
    out.push(
      list.length === 0 ? ['0', []] : [`${x} IN (${list.map(() => '?').join(', ')})`, [...list]],
    );
  }
  return out;
}

/** The conditions of `query` on the `declared` fields (none for the other fields: they scan). */
export function narrowing(query: Query, declared: ReadonlySet<string> | undefined): Narrowing {
  const none: Narrowing = { sql: '', params: [], indexedBy: '' };
  if (declared === undefined || query.where === undefined) return none;
  let sql = '';
  const params: unknown[] = [];
  // the index of an equality (or `in`) first, else of a range
  let best: { field: string; equal: boolean } | undefined;
  for (const [field, filter] of Object.entries(query.where)) {
    if (!declared.has(field)) continue;
    for (const [text, values] of conditions(field, filter)) {
      sql += ` AND ${text}`;
      params.push(...values);
      if (text === '0') return { sql: ' AND 0', params: [], indexedBy: '' };
      const equal = / = \?$| IN \(/.test(text);
      if (best === undefined || (equal && !best.equal)) best = { field, equal };
    }
  }
  if (best === undefined) return none;
  return { sql, params, indexedBy: ` INDEXED BY ${indexName(best.field)}` };
}
