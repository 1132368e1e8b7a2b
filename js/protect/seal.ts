/**
 * Sealing and opening one event: its protected fields encrypted with its subject's key on the
 * way in; decrypted on the way out, or read as {@link REDACTED} once the key is gone.
 */
import type { NewEvent, RecordedEvent } from '../contracts/ledger.ts';
import type { ProtectSpec } from '../messages/message.ts';
import { invalidArgument } from '../util/errors.ts';
import { uuidv7 } from '../util/ids.ts';
import { associatedData, open, seal } from './crypto.ts';
import { TamperedDataError } from './errors.ts';
import { getPath, setPath } from './fields.ts';
import type { KeyRing } from './keyring.ts';
import { PROTECTED, REDACTED, type Sealed, sealedOf } from './marker.ts';

/** An event sealed for storage, and the same event as given (with its id fixed). */
export interface SealedEvent {
  /** What is stored: protected fields encrypted, `metadata.protected` set. */
  readonly sealed: NewEvent;
  /** What handlers see: the data as given. */
  readonly plain: NewEvent;
}

/** Seals the protected fields of `event` with its subject's key (creating the key if needed). */
export async function sealEvent(
  event: NewEvent,
  spec: ProtectSpec,
  ring: KeyRing,
): Promise<SealedEvent> {
  const messageId = event.messageId ?? uuidv7();
  const plain: NewEvent = event.messageId === undefined ? { ...event, messageId } : event;
  if (sealedOf(event.metadata) !== undefined) return { sealed: plain, plain };
  const subject = spec.subject({ type: event.type, data: event.data });
  if (typeof subject !== 'string' || subject.length === 0) {
    throw invalidArgument(
      `The \`protect.subject\` of "${event.type}" gave ${JSON.stringify(subject)}; it must give a non-empty string (the person's id). Nothing was written.`,
    );
  }
  const paths = spec.fields.filter((p) => getPath(event.data, p) !== undefined);
  if (paths.length === 0) return { sealed: plain, plain };
  const key = await ring.current(subject);
  const values = await Promise.all(
    paths.map((p) =>
      seal(key.key, associatedData(subject, key.id, messageId, paths, p), getPath(event.data, p)),
    ),
  );
  let data: unknown = event.data;
  for (let i = 0; i < paths.length; i++) data = setPath(data, paths[i]!, values[i]);
  const mark: Sealed = { s: subject, k: key.id, f: paths };
  return { sealed: { ...plain, data, metadata: { ...event.metadata, [PROTECTED]: mark } }, plain };
}

/** True when a stored event carries sealed fields. */
export function isSealed(event: RecordedEvent): boolean {
  return event.metadata !== undefined && PROTECTED in event.metadata;
}

/** `metadata` without its `protected` entry (undefined when nothing else is left). */
export function withoutMark(
  metadata: Readonly<Record<string, unknown>> | undefined,
): Readonly<Record<string, unknown>> | undefined {
  if (metadata === undefined || !(PROTECTED in metadata)) return metadata;
  const { [PROTECTED]: _, ...rest } = metadata;
  return Object.keys(rest).length === 0 ? undefined : rest;
}

/** A stored event as handlers see it: fields decrypted, or {@link REDACTED} when forgotten. */
export async function openEvent(event: RecordedEvent, ring: KeyRing): Promise<RecordedEvent> {
  if (!isSealed(event)) return event;
  const at = { streamId: event.streamId, position: event.position };
  const mark = sealedOf(event.metadata);
  if (mark === undefined) throw new TamperedDataError({ ...at, path: `metadata.${PROTECTED}` });
  const key = await ring.find(mark.s, mark.k);
  const values = await Promise.all(
    mark.f.map(async (path) => {
      if (key === undefined) return REDACTED;
      try {
        return await open(
          key,
          associatedData(mark.s, mark.k, event.messageId, mark.f, path),
          getPath(event.data, path),
        );
      } catch (cause) {
        throw new TamperedDataError({ ...at, path }, { cause });
      }
    }),
  );
  let data: unknown = event.data;
  for (let i = 0; i < mark.f.length; i++) data = setPath(data, mark.f[i]!, values[i]);
  return { ...event, data, metadata: withoutMark(event.metadata) } as RecordedEvent;
}
