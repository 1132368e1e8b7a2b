/** Reading and replacing a field of plain JSON data by a dotted path (`'contact.email'`). */

/** The value at `path`, or undefined when a step is missing. */
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
