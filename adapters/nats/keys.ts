import type { KeyChange, KeyChanges, KeyStore, StoredKey } from '../../js/mod.ts';
import { WhizbangError } from '../../js/mod.ts';
import type { NatsConnectionLike } from './connect.ts';
import { natsName } from './jetstream.ts';
import { kvBucket } from './kv.ts';

/** Options of {@link natsKeyStore}. */
export interface NatsKeyStoreOptions {
  /** The KV bucket (default `WHIZBANG_KEYS`); made when missing. */
  readonly bucket?: string;
  /** Replicas of the bucket when it is made (a cluster: 3). */
  readonly replicas?: number;
}

/** The part of `@nats-io/kv`'s bucket the key store uses. */
interface Bucket {
  get(key: string): Promise<{ operation: string; json<T>(): T } | null>;
  create(key: string, value: string): Promise<number>;
  purge(key: string): Promise<void>;
  status(): Promise<{ streamInfo: { state: { first_seq: number; last_seq: number } } }>;
  watch(options: {
    include: 'history';
    resumeFromRevision: number;
  }): Promise<AsyncIterable<WatchEntry> & { stop(): void }>;
}

/** An entry of the bucket's history, as a watch gives it. */
interface WatchEntry {
  readonly key: string;
  readonly operation: string;
  readonly revision: number;
  json<T>(): T;
}

/** A subject as a KV key: base64url of its UTF-8 (what a key may hold, whatever the subject). */
function keyOf(subject: string): string {
  let s = '';
  for (const b of new TextEncoder().encode(subject)) s += String.fromCharCode(b);
  return btoa(s).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}

/** The subject of a KV key made by {@link keyOf}. */
function subjectOf(key: string): string {
  const s = atob(key.replaceAll('-', '+').replaceAll('_', '/'));
  return new TextDecoder().decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));
}

/**
 * The bucket's history after revision `after`: a purge leaves a marker (the bucket keeps one entry
 * per key), so a forgotten subject stays listed until its key is made again, which lists the new
 * key's id instead.
 */
async function changesAfter(kv: Bucket, after: number): Promise<KeyChanges> {
  const { first_seq: first, last_seq: last } = (await kv.status()).streamInfo.state;
  if (last <= after || first > last) return { changes: [], cursor: String(Math.max(after, last)) };
  const changes: KeyChange[] = [];
  const watch = await kv.watch({ include: 'history', resumeFromRevision: after + 1 });
  // the history up to `last` is there unless its markers were purged (never purge them: replicas
  // learn forgets from them) or the connection went: a watch that goes quiet fails the round
  let quiet: ReturnType<typeof setTimeout> | undefined;
  const idle = (): void => {
    clearTimeout(quiet);
    quiet = setTimeout(() => watch.stop(), IDLE_MS);
  };
  let reached = false;
  try {
    idle();
    for await (const entry of watch) {
      idle();
      const subject = subjectOf(entry.key);
      if (entry.operation === 'PUT') changes.push({ subject, id: entry.json<{ id: string }>().id });
      else changes.push({ subject });
      if (entry.revision >= last) {
        reached = true;
        break;
      }
    }
  } finally {
    clearTimeout(quiet);
    watch.stop();
  }
  if (!reached) {
    throw new WhizbangError(
      'UNAVAILABLE',
      `The key bucket's history did not reach revision ${last} within ${IDLE_MS} ms (a lost connection, or purged delete markers); the next sync round asks again.`,
    );
  }
  return { changes, cursor: String(last) };
}

/** How long a read of the key bucket's history may go without an entry. */
const IDLE_MS = 10_000;

const bytesOf = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const textOf = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));

/** A {@link KeyStore} in a KV bucket on `connection`. */
export function natsKeyStore(
  connection: NatsConnectionLike,
  options: NatsKeyStoreOptions = {},
): KeyStore {
  const name = natsName(options.bucket ?? 'WHIZBANG_KEYS', 'bucket');
  const bucket = kvBucket<Bucket>(connection, name, options.replicas, 'Keys');
  const read = async (kv: Bucket, subject: string): Promise<StoredKey | undefined> => {
    const entry = await kv.get(keyOf(subject));
    if (entry === null || entry.operation !== 'PUT') return undefined;
    const { id, wrapped } = entry.json<{ id: string; wrapped: string }>();
    return { id, wrapped: bytesOf(wrapped) };
  };
  return {
    get: async (subject) => read(await bucket(), subject),
    async create(subject, key) {
      const kv = await bucket();
      try {
        await kv.create(
          keyOf(subject),
          JSON.stringify({ id: key.id, wrapped: textOf(key.wrapped) }),
        );
        return key;
      } catch (error) {
        const held = await read(kv, subject);
        if (held !== undefined) return held;
        throw error;
      }
    },
    async delete(subject) {
      const kv = await bucket();
      const had = (await read(kv, subject)) !== undefined;
      await kv.purge(keyOf(subject));
      return had;
    },
    async changes(cursor) {
      const after = cursor === undefined ? 0 : Number(cursor);
      if (!Number.isSafeInteger(after) || after < 0) {
        throw new WhizbangError(
          'INVALID_ARGUMENT',
          `The key store's cursor must be a revision of the bucket (a whole number), got "${cursor}".`,
        );
      }
      return changesAfter(await bucket(), after);
    },
  };
}
