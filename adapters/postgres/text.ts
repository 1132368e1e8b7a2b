/** What PostgreSQL refuses that JavaScript allows, checked before anything is sent; time columns. */

// `\u0000` or an unpaired surrogate escape (JSON.stringify writes pairs as characters, lone
// surrogates as escapes), not preceded by an escaped backslash
const REFUSED_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f])/i;

/**
 * `value` as JSON text for a jsonb column. jsonb cannot hold U+0000 or an unpaired surrogate:
 * such a value is refused with a clear error instead of failing inside the transaction.
 */
export function jsonFor(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) return 'null';
  if (json.includes('\\u') && REFUSED_ESCAPE.test(json)) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      'PostgreSQL jsonb cannot store the character U+0000 or an unpaired UTF-16 surrogate, and this value holds one. Remove it or encode the text (base64, for instance); nothing was written.',
    );
  }
  return json;
}

/** Refuses text PostgreSQL cannot store (U+0000). */
export function checkText(what: string, text: string): void {
  if (text.includes('\0')) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `A ${what} cannot contain the character U+0000 in PostgreSQL (got ${JSON.stringify(text)}); nothing was written.`,
    );
  }
}

/** SQL reading a timestamptz column as epoch milliseconds. */
export const MS = (column: string): string => `(extract(epoch FROM ${column}) * 1000)::float8`;

/** SQL writing epoch milliseconds (parameter `param`) to a timestamptz column. */
export const AT = (param: string): string => `to_timestamp(${param}::float8 / 1000)`;

import { WhizbangError } from '../../js/mod.ts';
