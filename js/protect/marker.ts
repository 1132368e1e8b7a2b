/** What an event's metadata says about its protected fields, and the marker of a forgotten value. */

import { REDACTED } from '../messages/protected.ts';

export { REDACTED };

/** True when `value` is the {@link REDACTED} marker. */
export function isRedacted(value: unknown): value is typeof REDACTED {
  return value === REDACTED;
}

/** The metadata key under which a sealed event names its subject, key id and sealed fields. */
export const PROTECTED = 'protected';

/** The `protected` metadata of a sealed event. */
export interface Sealed {
  /** The subject. */
  readonly s: string;
  /** The id of the subject's key that sealed it. */
  readonly k: string;
  /** The paths of the sealed fields. */
  readonly f: readonly string[];
}

/** The `protected` metadata of `metadata`, if it is well formed. */
export function sealedOf(
  metadata: Readonly<Record<string, unknown>> | undefined,
): Sealed | undefined {
  const p = metadata?.[PROTECTED] as Sealed | undefined;
  if (typeof p !== 'object' || p === null) return undefined;
  return typeof p.s === 'string' &&
    typeof p.k === 'string' &&
    Array.isArray(p.f) &&
    p.f.every((f) => typeof f === 'string')
    ? p
    : undefined;
}
