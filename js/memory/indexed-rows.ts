/**
 * One tenant's models of a perspective, with maps of the declared fields (value → ids). Every
 * write goes through `set`/`delete` — a transaction's undo too — so the maps never drift from the
 * rows. A query with an equality (or `in`) on a declared field reads only the ids the map holds.
 */
import type { Where } from '../contracts/query.ts';
import type { StoredModel } from '../contracts/store.ts';
import { pathValue } from '../kit/path.ts';

type Key = string | number | boolean | null;

const isKey = (v: unknown): v is Key =>
  v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** A tenant's rows by id, with maps of the declared fields. */
export class IndexedRows extends Map<string, StoredModel> {
  #maps = new Map<string, Map<Key, Set<string>>>();

  /** Keeps maps of `fields` from now on (built at once from the rows there are). */
  index(fields: readonly string[]): void {
    this.#maps = new Map(fields.map((f) => [f, new Map()]));
    for (const [id, row] of super.entries()) this.#add(id, row);
  }

  override set(id: string, row: StoredModel): this {
    if (this.#maps.size > 0) {
      const previous = super.get(id);
      if (previous !== undefined) this.#remove(id, previous);
      this.#add(id, row);
    }
    return super.set(id, row);
  }

  override delete(id: string): boolean {
    const previous = super.get(id);
    if (previous !== undefined && this.#maps.size > 0) this.#remove(id, previous);
    return super.delete(id);
  }

  /**
   * The rows that may match `where`, from the smallest map entry of its equalities on declared
   * fields; undefined when no declared field is filtered by equality (a scan answers).
   */
  candidates(where: Where | undefined): StoredModel[] | undefined {
    if (where === undefined || this.#maps.size === 0) return undefined;
    let best: Set<string> | undefined;
    for (const [field, filter] of Object.entries(where)) {
      const map = this.#maps.get(field);
      if (map === undefined) continue;
      const ids = idsOf(map, filter);
      if (ids !== undefined && (best === undefined || ids.size < best.size)) best = ids;
    }
    if (best === undefined) return undefined;
    const rows: StoredModel[] = [];
    for (const id of best) rows.push(super.get(id)!);
    return rows;
  }

  #add(id: string, row: StoredModel): void {
    for (const [field, map] of this.#maps) {
      const value = pathValue(row.model, field);
      if (!isKey(value)) continue;
      let ids = map.get(value);
      if (ids === undefined) {
        ids = new Set();
        map.set(value, ids);
      }
      ids.add(id);
    }
  }

  #remove(id: string, row: StoredModel): void {
    for (const [field, map] of this.#maps) {
      const value = pathValue(row.model, field);
      if (!isKey(value)) continue;
      const ids = map.get(value);
      ids?.delete(id);
      if (ids?.size === 0) map.delete(value);
    }
  }
}

const NONE: ReadonlySet<string> = new Set();

/** The ids a filter on a mapped field can match, or undefined when the map cannot say. */
function idsOf(map: Map<Key, Set<string>>, filter: Where[string]): Set<string> | undefined {
  if (isKey(filter)) return map.get(filter) ?? (NONE as Set<string>);
  if (typeof filter !== 'object' || filter === null) return undefined;
  if ('eq' in filter)
    return isKey(filter.eq) ? (map.get(filter.eq) ?? (NONE as Set<string>)) : undefined;
  if (Array.isArray(filter.in) && filter.in.every(isKey)) {
    const ids = new Set<string>();
    for (const v of filter.in) for (const id of map.get(v) ?? []) ids.add(id);
    return ids;
  }
  return undefined;
}
