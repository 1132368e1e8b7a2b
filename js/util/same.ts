/** Structural equality of stored (JSON-like) values, for skipping an answer equal to the last. */

/** True when `a` and `b` hold the same data; keys whose value is `undefined` count as absent. */
export function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const key of Object.keys(x)) {
    if (x[key] === undefined) continue;
    n++;
    if (!same(x[key], y[key])) return false;
  }
  for (const key of Object.keys(y)) if (y[key] !== undefined) n--;
  return n === 0;
}
