/** Read options every storage adapter checks the same way. */
import { invalidArgument } from '../js/errors.ts';

/** A read option that must be a whole number ≥ 0, or `fallback` when absent. */
export function whole(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0)
    throw invalidArgument(`"${name}" must be a whole number ≥ 0, got ${value}.`);
  return value;
}
