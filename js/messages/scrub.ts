/**
 * Masking the clear values of protected fields in texts (error messages and stacks). Apart from
 * the table (protected.ts), so the runtime loads it only when a protected message fails to
 * validate; traces, OpenTelemetry and sync import it as they are loaded.
 */
import type { ValidationIssue } from '../util/errors.ts';
import { getPath, protectedFields, REDACTED } from './protected.ts';

/**
 * `text` (an error's message or stack) with every clear value of the protected fields of
 * `messages` replaced by {@link REDACTED}, so an error that quotes a message's personal data does
 * not carry it into a trace, a log or a stored conflict. Values shorter than three characters are
 * left (they would match ordinary words).
 */
export function scrubText(
  text: string,
  ...messages: ReadonlyArray<{ readonly type: string; readonly data: unknown } | undefined>
): string {
  const values: string[] = [];
  const add = (value: unknown): void => {
    if (typeof value === 'object' && value !== null) {
      for (const v of Object.values(value)) add(v);
    } else if (
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'bigint'
    ) {
      const shown = String(value);
      if (shown.length > 2 && shown !== REDACTED) values.push(shown);
    }
  };
  for (const m of messages)
    for (const f of (m && protectedFields(m.type)) ?? []) add(getPath(m!.data, f));
  // longest first, so a value that contains another is replaced whole
  for (const v of values.sort((a, b) => b.length - a.length)) text = text.replaceAll(v, REDACTED);
  return text;
}

/** `issues` (of a schema that refused `message`) with its protected values masked in their text. */
export function scrubIssues(
  issues: readonly ValidationIssue[],
  message: { readonly type: string; readonly data: unknown },
): ValidationIssue[] {
  return issues.map((i) => ({ ...i, message: scrubText(i.message, message) }));
}
