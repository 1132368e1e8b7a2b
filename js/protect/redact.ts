/** Redaction for tools: a message with its protected fields replaced by the redacted marker. */
import type { EventDefinition } from '../messages/message.ts';
import { maskFields, protectedFields } from '../messages/protected.ts';
import { withoutMark } from './seal.ts';

/**
 * `event` with the protected fields its definition declares shown as {@link REDACTED}, for logs,
 * traces, exports and error messages; other events unchanged. Without `definitions`, the fields
 * that the definitions made in this process declared for its type (what the trace store masks).
 */
export function redact<E extends { readonly type: string; readonly data: unknown }>(
  event: E,
  definitions?: ReadonlyMap<string, EventDefinition> | readonly EventDefinition[],
): E {
  const fields =
    definitions === undefined
      ? protectedFields(event.type)
      : (Array.isArray(definitions)
          ? (definitions as readonly EventDefinition[]).find((d) => d.type === event.type)
          : (definitions as ReadonlyMap<string, EventDefinition>).get(event.type)
        )?.protect?.fields;
  if (fields === undefined) return event;
  const out = { ...event, data: maskFields(event.data, fields) };
  if ('metadata' in out)
    (out as { metadata?: unknown }).metadata = withoutMark(
      (out as never as { metadata?: Record<string, unknown> }).metadata,
    );
  return out;
}
