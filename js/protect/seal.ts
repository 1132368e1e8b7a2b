/**
 * Sealing and opening one event: its protected fields encrypted with its subject's key on the
 * way in; decrypted on the way out, or read as {@link REDACTED} once the key is gone.
 */
import type { NewEvent, RecordedEvent } from '../contracts/ledger.ts';
import type { ProtectSpec } from '../messages/message.ts';
import { invalidArgument } from '../util/errors.ts';
import { uuidv7 } from '../util/ids.ts';
import { chain, isThenable, type MaybePromise } from '../util/maybe.ts';
import { type Cipher, sealContext } from './crypto.ts';
import { TamperedDataError } from './errors.ts';
import { getPath, setPath } from './fields.ts';
import type { DataKey, KeyRing } from './keyring.ts';
import { PROTECTED, REDACTED, type Sealed, sealedOf } from './marker.ts';
import type { CryptoKey } from './webcrypto.ts';

/** An event sealed for storage, and the same event as given (with its id fixed). */
export interface SealedEvent {
  /** What is stored: protected fields encrypted, `metadata.protected` set. */
  readonly sealed: NewEvent;
  /** What handlers see: the data as given. */
  readonly plain: NewEvent;
}

/**
 * Seals the protected fields of `event` with its subject's key (creating the key if needed):
 * synchronous when the key is held and the cipher is.
 */
export function sealEvent(
  event: NewEvent,
  spec: ProtectSpec,
  ring: KeyRing,
  cipher: Cipher,
): MaybePromise<SealedEvent> {
  const messageId = event.messageId ?? uuidv7();
  const plain: NewEvent = event.messageId === undefined ? { ...event, messageId } : event;
  // sealed already (another replica's event, pulled by sync; an import): stored as it is, and
  // opened for the handlers of its append
  if (sealedOf(event.metadata) !== undefined) {
    const stored = { ...plain, streamId: '', position: 0, version: 0 } as unknown as RecordedEvent;
    return chain(openEvent(stored, ring, cipher), (opened) => ({
      sealed: plain,
      plain: { ...plain, data: opened.data },
    }));
  }
  const subject = spec.subject({ type: event.type, data: event.data });
  if (typeof subject !== 'string' || subject.length === 0) {
    throw invalidArgument(
      `The \`protect.subject\` of "${event.type}" gave ${JSON.stringify(subject)}; it must give a non-empty string (the person's id). Nothing was written.`,
    );
  }
  const paths = spec.fields.filter((p) => getPath(event.data, p) !== undefined);
  if (paths.length === 0) return { sealed: plain, plain };
  const withKey = (key: DataKey): MaybePromise<SealedEvent> =>
    chain(
      cipher.seal(
        key.key,
        sealContext(subject, key.id, messageId, paths),
        paths.map((p) => JSON.stringify(getPath(event.data, p))),
      ),
      (values) => {
        let data: unknown = event.data;
        for (let i = 0; i < paths.length; i++) data = setPath(data, paths[i]!, values[i]);
        const mark: Sealed = { s: subject, k: key.id, f: paths };
        return {
          sealed: { ...plain, data, metadata: { ...event.metadata, [PROTECTED]: mark } },
          plain,
        };
      },
    );
  const ready = ring.ready(subject);
  return ready === undefined ? ring.current(subject).then(withKey) : withKey(ready);
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

/**
 * A stored event as handlers see it: fields decrypted, or {@link REDACTED} when forgotten.
 * Synchronous when the key is known and the cipher is.
 */
export function openEvent(
  event: RecordedEvent,
  ring: KeyRing,
  cipher: Cipher,
): MaybePromise<RecordedEvent> {
  if (!isSealed(event)) return event;
  const at = { streamId: event.streamId, position: event.position };
  const mark = sealedOf(event.metadata);
  if (mark === undefined) throw new TamperedDataError({ ...at, path: `metadata.${PROTECTED}` });
  const fields = mark.f;
  const rebuilt = (values: readonly unknown[]): RecordedEvent => {
    let data: unknown = event.data;
    for (let i = 0; i < fields.length; i++) data = setPath(data, fields[i]!, values[i]);
    return { ...event, data, metadata: withoutMark(event.metadata) } as RecordedEvent;
  };
  // one failure for the event: the values are authenticated together, so the place of a change
  // is not known; the error names every sealed field
  const fail = (cause: unknown): never => {
    throw new TamperedDataError({ ...at, path: fields.join(', ') }, { cause });
  };
  const parse = (texts: readonly string[]): RecordedEvent => {
    try {
      if (texts.length !== fields.length) throw new Error('not as many values as fields');
      return rebuilt(texts.map((t) => JSON.parse(t) as unknown));
    } catch (cause) {
      return fail(cause);
    }
  };
  const withKey = (key: CryptoKey | null | undefined): MaybePromise<RecordedEvent> => {
    if (key == null || fields.length === 0) return rebuilt(fields.map(() => REDACTED));
    try {
      const texts = cipher.open(
        key,
        sealContext(mark.s, mark.k, event.messageId, fields),
        fields.map((p) => getPath(event.data, p)),
      );
      return isThenable(texts) ? Promise.resolve(texts).then(parse, fail) : parse(texts);
    } catch (cause) {
      return fail(cause);
    }
  };
  const known = ring.known(mark.s, mark.k);
  return known === undefined ? ring.find(mark.s, mark.k).then(withKey) : withKey(known);
}
