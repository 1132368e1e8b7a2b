import type { KeyStore, StoredKey } from '../../js/mod.ts';
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
}

/** A subject as a KV key: base64url of its UTF-8 (what a key may hold, whatever the subject). */
function keyOf(subject: string): string {
  let s = '';
  for (const b of new TextEncoder().encode(subject)) s += String.fromCharCode(b);
  return btoa(s).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}

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
  };
}
