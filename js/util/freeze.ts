/**
 * Models as immutable values: a lens hands a perspective's model out frozen, deeply, so no
 * caller's edit reaches the store (freezing on the write path too measured 7–14% of the memory
 * command path; see BENCHMARKS.md).
 */

/**
 * Freezes `value` and every object and array reachable from it, and returns it. An object that is
 * frozen already is taken as frozen throughout (a model shares its unchanged parts with the model
 * before it), so the cost is the new parts only. Typed arrays cannot be frozen and are left as
 * they are.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (ArrayBuffer.isView(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const member: unknown = value[i];
      if (typeof member === 'object' && member !== null) deepFreeze(member);
    }
    return value;
  }
  for (const key in value) {
    const member: unknown = (value as Record<string, unknown>)[key];
    if (typeof member === 'object' && member !== null && Object.hasOwn(value, key)) {
      deepFreeze(member);
    }
  }
  return value;
}
