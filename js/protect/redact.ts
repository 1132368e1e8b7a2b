/** Redaction for tools: a message with its protected fields replaced by the redacted marker. */
import type { EventDefinition } from '../messages/message.ts';
import { getPath, setPath } from './fields.ts';
import { REDACTED } from './marker.ts';
import { withoutMark } from './seal.ts';

/**
 * `event` with the protected fields its definition declares shown as {@link REDACTED}, for logs,
 * traces, exports and error messages; other events unchanged.
 */
export function redact<E extends { readonly type: string; readonly data: unknown }>(
  event: E,
  definitions: ReadonlyMap<string, EventDefinition> | readonly EventDefinition[],
): E {
  const def = Array.isArray(definitions)
    ? (definitions as readonly EventDefinition[]).find((d) => d.type === event.type)
    : (definitions as ReadonlyMap<string, EventDefinition>).get(event.type);
  const fields = def?.protect?.fields;
  if (fields === undefined) return event;
  let data = event.data;
  for (const path of fields) {
    if (getPath(data, path) !== undefined) data = setPath(data, path, REDACTED);
  }
  const out = { ...event, data };
  if ('metadata' in out)
    (out as { metadata?: unknown }).metadata = withoutMark(
      (out as never as { metadata?: Record<string, unknown> }).metadata,
    );
  return out;
}
