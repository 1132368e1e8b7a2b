/**
 * Declared fields on IndexedDB: each model record carries `ix`, one entry
 * `[perspective, tenant, field, value]` per declared field whose value is a string or a number,
 * in the multi-entry index `fields` of the models store. A query's filter on a declared field is
 * then read as a key range of that index: equality, `in`, and ranges (IndexedDB orders numbers
 * before strings, and strings by UTF-16 units, as JavaScript does).
 */

import { pathValue } from '../../js/kit/mod.ts';
import type { FieldFilter, Where } from '../../js/mod.ts';

/** One entry of the `fields` index. */
export type FieldEntry = [string, string, string, string | number];

const isKeyValue = (v: unknown): v is string | number =>
  typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** The declared fields of each perspective, and which of them the index answers yet. */
export class DeclaredFields {
  readonly #fields = new Map<string, readonly string[]>();
  readonly #ready = new Map<string, ReadonlySet<string>>();

  /** From now on, writes of `perspective` carry entries for `fields`. */
  declare(perspective: string, fields: readonly string[]): void {
    this.#fields.set(perspective, fields);
  }

  /** Every stored model of `perspective` carries its entries: queries may use the index. */
  ready(perspective: string, fields: readonly string[]): void {
    this.#ready.set(perspective, new Set(fields));
  }

  /** The declared fields of `perspective` (none when it declared none). */
  of(perspective: string): readonly string[] {
    return this.#fields.get(perspective) ?? [];
  }

  /** The index entries of a model. */
  entries(perspective: string, tenant: string, model: unknown): FieldEntry[] | undefined {
    const fields = this.#fields.get(perspective);
    if (fields === undefined) return undefined;
    const out: FieldEntry[] = [];
    for (const field of fields) {
      const value = pathValue(model, field);
      if (isKeyValue(value)) out.push([perspective, tenant, field, value]);
    }
    return out;
  }

  /**
   * The key ranges of the `fields` index that hold every model `where` may match (one per `in`
   * value), from the first ready field it filters on; undefined when none (a scan answers).
   */
  ranges(
    keys: typeof IDBKeyRange,
    perspective: string,
    tenant: string,
    where: Where | undefined,
  ): IDBKeyRange[] | undefined {
    const ready = this.#ready.get(perspective);
    if (ready === undefined || where === undefined) return undefined;
    for (const [field, filter] of Object.entries(where)) {
      if (!ready.has(field)) continue;
      const at = (v: string | number): FieldEntry => [perspective, tenant, field, v];
      const found = rangesOf(keys, at, filter);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

const isFilter = (v: unknown): v is FieldFilter =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// the smallest string key, and a key above every string (an array): the ends of each type's run
const LOWEST_STRING = '';
const ABOVE_STRINGS: never[] = [];

function rangesOf(
  keys: typeof IDBKeyRange,
  at: (v: string | number) => FieldEntry,
  filter: Where[string],
): IDBKeyRange[] | undefined {
  if (!isFilter(filter)) return isKeyValue(filter) ? [keys.only(at(filter))] : undefined;
  if ('eq' in filter) return isKeyValue(filter.eq) ? [keys.only(at(filter.eq))] : undefined;
  if (Array.isArray(filter.in) && filter.in.every(isKeyValue)) {
    return [...new Set(filter.in)].map((v) => keys.only(at(v)));
  }
  const lower = filter.gt ?? filter.gte;
  const upper = filter.lt ?? filter.lte;
  const type = typeof (lower ?? upper);
  if (type !== 'number' && type !== 'string') return undefined;
  // a bound only holds values of its own type: a number and a string bound match nothing
  if (
    (lower !== undefined && typeof lower !== type) ||
    (upper !== undefined && typeof upper !== type)
  )
    return [];
  const numbers = type === 'number';
  const lo: unknown[] = lower !== undefined ? at(lower) : at(numbers ? -Infinity : LOWEST_STRING);
  const hi: unknown[] =
    upper !== undefined
      ? at(upper)
      : numbers
        ? at(LOWEST_STRING)
        : [...at(LOWEST_STRING).slice(0, 3), ABOVE_STRINGS];
  const loOpen = lower !== undefined && filter.gt !== undefined;
  const hiOpen = upper === undefined || filter.lt !== undefined;
  const l = lo[3] as number;
  const h = hi[3] as number;
  if (lower !== undefined && upper !== undefined && (l > h || (l === h && (loOpen || hiOpen))))
    return [];
  return [keys.bound(lo, hi, loOpen, hiOpen)];
}
