/**
 * Cursor paging and declared-field indexes in PostgreSQL SQL: `after` a cursor as a condition on
 * the query's typed sort keys (each NULLS LAST) and the id, and the expression index of a
 * declared field on the path `query.ts` writes for it.
 */
import type { Cursor, SortValue } from '../../js/kit/mod.ts';

/** A field path every driver can name in SQL: identifiers joined by dots (declared indexes are). */
export const INDEXABLE: RegExp = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** The path of `field` in `column`, written out (the text an expression index must match). */
export const pathSql = (column: string, field: string): string =>
  `${column} #> '{${field.split('.').join(',')}}'`;

/** A 32-bit FNV-1a hash in hex: index names stay under PostgreSQL's 63 bytes. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The statement that makes the index of declared `field` in the schema's models table `table`. */
export function indexSql(table: string, field: string): string {
  const name = `whizbang_models_${field.replace(/\./g, '_').slice(0, 30)}_${shortHash(field)}`;
  return `CREATE INDEX IF NOT EXISTS "${name}" ON ${table} (perspective, tenant, (${pathSql('model', field)}))`;
}

/** One typed sort key of a query: its SQL, direction, JSON type and parameter cast. */
export interface SortKey {
  readonly sql: string;
  readonly dir: 'asc' | 'desc';
  readonly type: string;
  readonly cast: string;
}

/**
 * The condition "after `cursor`": strictly after it in the order of `keys` (NULLS LAST each),
 * then by id.
 */
export function afterSql(
  keys: readonly SortKey[],
  cursor: Cursor,
  param: (value: unknown, cast: string) => string,
): string {
  // each field's value feeds its three typed keys: its own type's key, null in the others
  const values: Array<SortValue> = keys.map((k, i) => {
    const v = cursor.values[Math.floor(i / 3)] ?? null;
    return typeof v === k.type ? v : null;
  });
  const alternatives: string[] = [];
  const equal: string[] = [];
  keys.forEach((k, i) => {
    const v = values[i]!;
    if (v !== null) {
      const p = param(v, k.cast);
      alternatives.push(
        [...equal, `(${k.sql} IS NULL OR ${k.sql} ${k.dir === 'asc' ? '>' : '<'} ${p})`].join(
          ' AND ',
        ),
      );
      equal.push(`${k.sql} = ${p}`);
    } else {
      equal.push(`${k.sql} IS NULL`); // nulls last and all equal: nothing comes after them here
    }
  });
  alternatives.push([...equal, `id COLLATE "C" > ${param(cursor.id, 'text')}`].join(' AND '));
  return `(${alternatives.map((a) => `(${a})`).join(' OR ')})`;
}
