/**
 * Structural differences between two values of a read model: which paths were added, removed or
 * changed, with the values before and after. Plain objects and arrays are compared member by
 * member (Maps by key); anything else is compared as a whole (Dates by time, the rest with
 * `Object.is`).
 */

/** Where in a model: object keys and array indexes (Map keys as they are). */
export type ModelPath = readonly unknown[];

/** One difference between two values of a model. */
export type ModelChange =
  | { readonly kind: 'added'; readonly path: ModelPath; readonly after: unknown }
  | { readonly kind: 'removed'; readonly path: ModelPath; readonly before: unknown }
  | {
      readonly kind: 'changed';
      readonly path: ModelPath;
      readonly before: unknown;
      readonly after: unknown;
    };

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return Object.is(a.getTime(), b.getTime());
  return Object.is(a, b);
}

function walk(before: unknown, after: unknown, path: unknown[], out: ModelChange[]): void {
  if (same(before, after)) return;
  if (Array.isArray(before) && Array.isArray(after)) {
    const common = Math.min(before.length, after.length);
    for (let i = 0; i < common; i++) walk(before[i], after[i], [...path, i], out);
    for (let i = common; i < before.length; i++) {
      out.push({ kind: 'removed', path: [...path, i], before: before[i] });
    }
    for (let i = common; i < after.length; i++) {
      out.push({ kind: 'added', path: [...path, i], after: after[i] });
    }
    return;
  }
  if (before instanceof Map && after instanceof Map) {
    for (const [key, value] of before) {
      if (after.has(key)) walk(value, after.get(key), [...path, key], out);
      else out.push({ kind: 'removed', path: [...path, key], before: value });
    }
    for (const [key, value] of after) {
      if (!before.has(key)) out.push({ kind: 'added', path: [...path, key], after: value });
    }
    return;
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key of Object.keys(before)) {
      if (Object.hasOwn(after, key)) walk(before[key], after[key], [...path, key], out);
      else out.push({ kind: 'removed', path: [...path, key], before: before[key] });
    }
    for (const key of Object.keys(after)) {
      if (!Object.hasOwn(before, key)) {
        out.push({ kind: 'added', path: [...path, key], after: after[key] });
      }
    }
    return;
  }
  out.push({ kind: 'changed', path, before, after });
}

/**
 * The differences from `before` to `after`; `undefined` is "no model": a model that appears is one
 * `added` change at the empty path, one that goes is one `removed` change.
 * @example
 * diffValues({ balance: 5, tags: ['a'] }, { balance: 7, tags: ['a', 'b'] });
 * // [{ kind: 'changed', path: ['balance'], before: 5, after: 7 },
 * //  { kind: 'added', path: ['tags', 1], after: 'b' }]
 */
export function diffValues(before: unknown, after: unknown): ModelChange[] {
  if (before === undefined && after === undefined) return [];
  if (before === undefined) return [{ kind: 'added', path: [], after }];
  if (after === undefined) return [{ kind: 'removed', path: [], before }];
  const out: ModelChange[] = [];
  walk(before, after, [], out);
  return out;
}
