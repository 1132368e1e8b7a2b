/**
 * Which fields of which message types are personal data, as their definitions declare
 * (`protect: { subject, fields }`), and how anything that shows a message (a trace, a tool, an
 * error text) masks them. Definitions note their protected fields here as they are made, by type
 * name, so a trace store or a tool that never saw the app's definitions still masks them; two
 * definitions of one type name add up their fields.
 */

/**
 * What a protected field shows as where it is not readable: once its subject is forgotten (every
 * stored copy), and in traces, tools and error texts that were not asked for clear data.
 */
export const REDACTED = '[redacted]';

// one table per copy of the library: an npm and a JSR copy side by side each mask what their own
// definitions declared (a table shared through globalThis cost the runtime's size budget)
const known = new Map<string, readonly string[]>();

/** Notes that `type`'s messages carry personal data at `fields` (called by the definitions). */
export function declareProtected(type: string, fields: readonly string[]): void {
  known.set(type, [...(known.get(type) ?? []), ...fields]);
}

/** The protected field paths of messages of `type` (dotted), or undefined when none were declared. */
export function protectedFields(type: string): readonly string[] | undefined {
  return known.get(type);
}

/** The value at `path` (dotted) of plain JSON data, or undefined when a step is missing. */
export function getPath(data: unknown, path: string): unknown {
  let at: unknown = data;
  for (const step of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[step];
  }
  return at;
}

/** A copy of `data` with `value` at `path` (each object on the way copied, the rest shared). */
export function setPath(data: unknown, path: string, value: unknown): unknown {
  const steps = path.split('.');
  const put = (at: unknown, i: number): unknown => {
    const copy: Record<string, unknown> = Array.isArray(at)
      ? (at.slice() as unknown as Record<string, unknown>)
      : { ...(at as Record<string, unknown>) };
    const step = steps[i]!;
    copy[step] = i === steps.length - 1 ? value : put(copy[step], i + 1);
    return copy;
  };
  return put(data, 0);
}

/** `data` with each of `fields` that holds a value shown as {@link REDACTED}. */
export function maskFields(data: unknown, fields: readonly string[]): unknown {
  for (const path of fields) {
    const value = getPath(data, path);
    if (value !== undefined && value !== REDACTED) data = setPath(data, path, REDACTED);
  }
  return data;
}

/**
 * `message` with its protected fields (as its type declared them, or `fields`) shown as
 * {@link REDACTED}; the same object when it has none.
 */
export function masked<M extends { readonly type: string; readonly data: unknown }>(
  message: M,
  fields: readonly string[] | undefined = known.get(message.type),
): M {
  if (fields === undefined) return message;
  const data = maskFields(message.data, fields);
  return data === message.data ? message : { ...message, data };
}
