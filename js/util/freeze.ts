/**
 * Models as immutable values: a perspective's model is frozen, deeply, before it is stored and
 * before a lens hands it out, so no caller's edit reaches the store and an `apply` that mutates
 * its model fails instead of changing what the store holds.
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
