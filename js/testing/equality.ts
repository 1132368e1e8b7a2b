/**
 * Deep equality for messages and models, and where two values differ. Keys whose value is
 * `undefined` count as absent, as they do once data has been stored as JSON.
 */

/** One place where an expected value and an actual one differ. */
export interface Difference {
  /** Where, as a property path: `data.amount`, `[0].tags[2]` (empty at the top). */
  readonly path: string;
  /** The value expected there. */
  readonly expected: unknown;
  /** The value found there. */
  readonly actual: unknown;
}

/** Stands for a key or element that one side does not have. */
export const MISSING: unique symbol = Symbol('missing');

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Appends a property name to a path: `a` + `b` -> `a.b`, `a` + `x-y` -> `a["x-y"]`. */
export function pathTo(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (!IDENTIFIER.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;

/** Own enumerable string keys whose value is defined. */
function definedKeys(value: object): string[] {
  return Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
}

const isPlainPrototype = (proto: unknown): boolean => proto === null || proto === Object.prototype;

function samePrototype(a: object, b: object): boolean {
  const pa = Object.getPrototypeOf(a);
  const pb = Object.getPrototypeOf(b);
  return pa === pb || (isPlainPrototype(pa) && isPlainPrototype(pb));
}

/**
 * Collects up to `limit` differences between `expected` and `actual`, depth first. An empty list
 * means the two are deeply equal.
 */
export function differences(expected: unknown, actual: unknown, limit = 10): Difference[] {
  const found: Difference[] = [];
  compare(expected, actual, '', found, limit, []);
  return found;
}

/** True when `a` and `b` are deeply equal. */
export function deepEqual(a: unknown, b: unknown): boolean {
  return differences(a, b, 1).length === 0;
}

function compare(
  expected: unknown,
  actual: unknown,
  path: string,
  found: Difference[],
  limit: number,
  seen: Array<readonly [object, object]>,
): void {
  if (found.length >= limit) return;
  if (expected === actual || (Number.isNaN(expected) && Number.isNaN(actual))) return;
  if (!isObject(expected) || !isObject(actual) || !sameKind(expected, actual)) {
    found.push({ path, expected, actual });
    return;
  }
  if (seen.some(([e, a]) => e === expected && a === actual)) return;
  const pairs = [...seen, [expected, actual] as const];
  if (Array.isArray(expected)) {
    const other = actual as unknown[];
    const length = Math.max(expected.length, other.length);
    for (let i = 0; i < length; i++) {
      const e = i < expected.length ? expected[i] : MISSING;
      compare(e, i < other.length ? other[i] : MISSING, pathTo(path, i), found, limit, pairs);
    }
    return;
  }
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  const keys = definedKeys(e);
  for (const key of definedKeys(a)) if (!keys.includes(key)) keys.push(key);
  for (const key of keys) {
    const ev = e[key] === undefined ? MISSING : e[key];
    compare(ev, a[key] === undefined ? MISSING : a[key], pathTo(path, key), found, limit, pairs);
  }
}

/** Same kind of object; values compared whole (dates, patterns, collections) are equal too. */
function sameKind(expected: object, actual: object): boolean {
  if (Array.isArray(expected) !== Array.isArray(actual) || !samePrototype(expected, actual))
    return false;
  if (expected instanceof Date) return Object.is(expected.getTime(), (actual as Date).getTime());
  if (expected instanceof RegExp) return String(expected) === String(actual);
  if (expected instanceof Map || expected instanceof Set || ArrayBuffer.isView(expected))
    return sameCollection(expected, actual);
  return true;
}

/** Maps, sets and typed arrays: compared whole, entries by deep equality. */
function sameCollection(expected: object, actual: object): boolean {
  if (expected instanceof Map) {
    const other = actual as Map<unknown, unknown>;
    if (expected.size !== other.size) return false;
    for (const [k, v] of expected) if (!other.has(k) || !deepEqual(v, other.get(k))) return false;
    return true;
  }
  if (expected instanceof Set) {
    const other = [...(actual as Set<unknown>)];
    if (expected.size !== other.length) return false;
    return [...expected].every((v) => other.some((w) => deepEqual(v, w)));
  }
  const e = expected as unknown as ArrayLike<unknown>;
  const a = actual as unknown as ArrayLike<unknown>;
  if (e.length !== a.length) return false;
  for (let i = 0; i < e.length; i++) if (!Object.is(e[i], a[i])) return false;
  return true;
}
